package attendance

// LatLng is a coordinate in degrees.
type LatLng struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Fence is a geofence: a circle (Center and RadiusM) or a polygon (at least
// three vertices, in order, not closed). The rules engine checks located
// punches against them (rules.Fence is this type).
type Fence struct {
	Name string `json:"name,omitempty"`
	// Datum of the coordinates: "wgs84" (default) or "gcj02" when they were
	// picked on a map of mainland China.
	Datum   string   `json:"datum,omitempty"`
	Center  *LatLng  `json:"center,omitempty"`
	RadiusM float64  `json:"radius_m,omitempty"`
	Polygon []LatLng `json:"polygon,omitempty"`
}
