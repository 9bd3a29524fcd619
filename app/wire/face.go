package wire

import "time"

// The face enrolment of one employee, as the console manages it through
// punchd (GET, POST and DELETE /api/v1/employees/{id}/face). punchd asks
// the face service of the employee's home site on the caller's behalf.

// FaceService says whether punchd can reach an employee's face service.
type FaceService string

// The states of an employee's face service.
const (
	FaceReady       FaceService = "ready"       // reachable: the state below is its answer
	FaceNoSite      FaceService = "no_site"     // the employee has no home site
	FaceNoService   FaceService = "no_service"  // the home site has no face service URL
	FaceNotLinked   FaceService = "not_linked"  // punchd holds no face admin token (-face-admin-token)
	FaceUnreachable FaceService = "unreachable" // no answer, or it refused punchd's token
)

// FaceState is what a face service holds about an employee.
type FaceState struct {
	EmployeeID string      `json:"employee_id"`
	SiteID     string      `json:"site_id,omitempty"`
	Service    FaceService `json:"service"`
	// Templates is how many face descriptors are enrolled (0: none).
	Templates  int       `json:"templates"`
	EnrolledAt time.Time `json:"enrolled_at,omitzero"`
	// Consent is the latest consent recorded, withdrawn or not.
	Consent *FaceConsent `json:"consent,omitempty"`
}

// FaceConsent is a consent the face service keeps: who recorded it, for
// what, when, and when it was withdrawn (a deletion withdraws it).
type FaceConsent struct {
	By          string    `json:"by"`
	Purpose     string    `json:"purpose"`
	GivenAt     time.Time `json:"given_at"`
	WithdrawnAt time.Time `json:"withdrawn_at,omitzero"`
}

// MaxFacePhotos is the most photos one enrolment takes.
const MaxFacePhotos = 5

// FaceEnrollRequest is the body of POST /api/v1/employees/{id}/face.
type FaceEnrollRequest struct {
	// Consent must be true: the person recording the enrolment states
	// that the employee agreed (a dry run needs it too: no face is
	// analysed before).
	Consent bool `json:"consent"`
	// Photos are 1 to MaxFacePhotos JPEG or PNG images (base64 in JSON).
	Photos [][]byte `json:"photos"`
}

// FacePhoto is the verdict on one photo: Result is accepted, no_face,
// many_faces, face_too_small, bad_image, too_large or not_same_person.
type FacePhoto struct {
	Result  string `json:"result"`
	Faces   int    `json:"faces"`
	Message string `json:"message,omitempty"`
}

// FaceEnrollment answers POST /api/v1/employees/{id}/face: the verdict
// on each photo and, unless a dry run, what was enrolled.
type FaceEnrollment struct {
	DryRun     bool        `json:"dry_run"`
	Photos     []FacePhoto `json:"photos"`
	Templates  int         `json:"templates"`
	EnrolledAt time.Time   `json:"enrolled_at,omitzero"`
}

// FaceDeletion answers DELETE /api/v1/employees/{id}/face.
type FaceDeletion struct {
	Templates         int64 `json:"deleted_templates"`
	WithdrawnConsents int64 `json:"withdrawn_consents"`
}
