package report

// SetMaxXLSXRows sets how many data rows an XLSX sheet holds until the
// returned function restores it.
func SetMaxXLSXRows(n int) (restore func()) {
	was := maxXLSXRows
	maxXLSXRows = n
	return func() { maxXLSXRows = was }
}
