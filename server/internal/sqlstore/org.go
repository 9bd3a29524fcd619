package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// siteGeo is what a site's geo column holds.
type siteGeo struct {
	Address  string             `json:"address,omitempty"`
	Point    *attendance.LatLng `json:"point,omitempty"`
	Fences   []attendance.Fence `json:"fences,omitempty"`
	Networks []string           `json:"networks,omitempty"`
	// FixAccuracyM is attendance.Site's (0 none).
	FixAccuracyM float64 `json:"fix_accuracy_m,omitempty"`
}

// siteGeoOf is x's geo column: "" when it has none of them.
func siteGeoOf(x attendance.Site) (string, error) {
	g := siteGeo{x.Address, x.Point, x.Fences, x.Networks, x.FixAccuracyM}
	if g.Address == "" && g.Point == nil && len(g.Fences) == 0 && len(g.Networks) == 0 && g.FixAccuracyM == 0 {
		return "", nil
	}
	b, err := json.Marshal(g)
	if err != nil {
		return "", fmt.Errorf("sqlstore: site %s geo: %w", x.ID, err)
	}
	return string(b), nil
}

// setSiteGeo fills x from its geo column.
func setSiteGeo(x *attendance.Site, geo string) error {
	if geo == "" {
		return nil
	}
	var g siteGeo
	if err := json.Unmarshal([]byte(geo), &g); err != nil {
		return fmt.Errorf("sqlstore: site %s geo: %w", x.ID, err)
	}
	x.Address, x.Point, x.Fences, x.Networks, x.FixAccuracyM = g.Address, g.Point, g.Fences, g.Networks, g.FixAccuracyM
	return nil
}

// DeleteDepartment deletes department id when no sub-department,
// employee or account refers to it, in one statement (a reference made
// meanwhile cannot slip between a check and the deletion).
func (s *DB) DeleteDepartment(ctx context.Context, id string) error {
	if err := checkID("department", id); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.Rebind(`DELETE FROM departments WHERE id = ?
		AND NOT EXISTS (SELECT 1 FROM departments WHERE parent_id = ?)
		AND NOT EXISTS (SELECT 1 FROM employees WHERE department_id = ?)
		AND NOT EXISTS (SELECT 1 FROM users WHERE department_id = ? OR unit = ?)`), id, id, id, id, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete department %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var one int
	err = s.db.QueryRowContext(ctx, s.Rebind(`SELECT 1 FROM departments WHERE id = ?`), id).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: department %s: %w", id, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlstore: delete department %s: %w", id, err)
	}
	return fmt.Errorf("sqlstore: department %s has sub-departments, employees or accounts: %w", id, store.ErrConflict)
}
