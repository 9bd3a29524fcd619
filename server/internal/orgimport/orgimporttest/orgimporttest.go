// Package orgimporttest makes the import file the tests share.
package orgimporttest

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Sheet is the acceptance file: 200 new employees (N000 to N199)
// of the demo's retail department at the Shanghai store, reporting to
// E002, as HR keeps them (XLSX, Chinese headers). bad puts three rows
// wrong for any importer, head office HR or the retail unit's: line 12
// names a department that does not exist (retial, misspelt), line 52
// E005's badge (PC-0005), line 152 no name.
func Sheet(bad bool) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"工号", "姓名", "部门", "门店", "工牌", "上级"}); err != nil {
		return nil, err
	}
	for i := range 200 {
		row := []any{fmt.Sprintf("N%03d", i), fmt.Sprintf("新员工 %d", i), "retail", "sh-jingan", fmt.Sprintf("NB-%03d", i), "E002"}
		if bad {
			switch i {
			case 10:
				row[2] = "retial" // no such department
			case 50:
				row[4] = "PC-0005" // E005's badge
			case 150:
				row[1] = "" // no name
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return nil, err
		}
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
