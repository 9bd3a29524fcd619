package wire

// NFCTagRequest asks for the signed badge token of an employee's NFC tag
// (POST /api/v1/employees/{id}/nfc-tag). Serial, the tag's serial number
// as a reader shows it ("04:A2:1B:7C:11:22:33"), binds the token to that
// tag: copied onto another, it no longer verifies. Empty: any tag.
type NFCTagRequest struct {
	Serial string `json:"serial,omitempty"`
}

// NFCTag is the token to write on the tag as the text of an NDEF text
// record (language "en"), and what it says.
type NFCTag struct {
	EmployeeID string `json:"employee_id"`
	// Serial is the bound serial, upper-case hex ("" unbound).
	Serial string `json:"serial,omitempty"`
	Token  string `json:"token"`
}
