package facematch

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"image/png"
	"strings"

	"punchclock/app/wire"
)

// PhotoResult is what an enrolment photo was found to be, a stable code
// a console translates.
type PhotoResult string

// The results of an enrolment photo's check.
const (
	PhotoAccepted  PhotoResult = "accepted"
	PhotoNoFace    PhotoResult = "no_face"
	PhotoManyFaces PhotoResult = "many_faces"
	PhotoTooSmall  PhotoResult = "face_too_small"  // the face is under MinEnrollFace pixels wide
	PhotoBadImage  PhotoResult = "bad_image"       // not a JPEG or PNG, or cut or broken
	PhotoTooLarge  PhotoResult = "too_large"       // bytes or pixels past Limits
	PhotoNotSame   PhotoResult = "not_same_person" // farther than the threshold from the first accepted photo
)

// PhotoCheck is the verdict on one enrolment photo.
type PhotoCheck struct {
	Result PhotoResult `json:"result"`
	// Faces is how many faces were found (0 when the image was refused
	// before detection).
	Faces int `json:"faces"`
	// Message says it in English, for API users.
	Message string `json:"message,omitempty"`
}

// DefaultMinEnrollFace is the narrowest face an enrolment takes, in
// pixels: dlib's descriptor is computed from a 150-pixel chip, and a face
// much narrower than that is enlarged blur.
const DefaultMinEnrollFace = 80

// PhotoError refuses an enrolment whose photos are not all accepted: the
// verdict on every photo, so an admin sees which to replace.
type PhotoError struct {
	Photos []PhotoCheck
}

func (e *PhotoError) Error() string {
	var bad []string
	for i, p := range e.Photos {
		if p.Result != PhotoAccepted {
			bad = append(bad, fmt.Sprintf("photo %d: %s", i+1, p.Message))
		}
	}
	return strings.Join(bad, "; ")
}

// enrollJPEG returns the JPEG dlib reads of an enrolment photo: a JPEG as
// it is, a PNG (a screenshot, a scan) redrawn as a JPEG, both checked
// against lim first. A PNG's header is read before its pixels, so a PNG
// claiming 60000x60000 is refused without allocating them.
func enrollJPEG(b []byte, lim Limits) ([]byte, error) {
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		return b, CheckJPEG(b, lim)
	}
	if int64(len(b)) > lim.MaxBytes {
		return nil, wire.Errorf(wire.CodeTooLarge, "image is %d bytes; at most %d", len(b), lim.MaxBytes)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, &wire.Error{Code: wire.CodeInvalid, Message: "malformed PNG header", Err: err}
	}
	if cfg.Width > lim.MaxSide || cfg.Height > lim.MaxSide {
		return nil, wire.Errorf(wire.CodeTooLarge, "image is %dx%d pixels; at most %dx%d", cfg.Width, cfg.Height, lim.MaxSide, lim.MaxSide)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, &wire.Error{Code: wire.CodeInvalid, Message: "corrupt or truncated PNG", Err: err}
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 92}); err != nil {
		return nil, fmt.Errorf("facematch: redraw PNG: %w", err)
	}
	return out.Bytes(), CheckJPEG(out.Bytes(), lim)
}

// CheckPhotos judges enrolment photos for a site, each on its own (see
// PhotoResult), and returns the descriptors of those accepted, in order.
// Nothing is stored. The error is only for what is no photo's fault
// (busy, cancelled).
func (s *Service) CheckPhotos(ctx context.Context, site string, photos [][]byte) ([]PhotoCheck, []Descriptor, error) {
	checks := make([]PhotoCheck, len(photos))
	var descs []Descriptor
	th := s.Site(site).Threshold
	for i, p := range photos {
		c := &checks[i]
		jp, err := enrollJPEG(p, s.cfg.Limits)
		switch {
		case wire.CodeOf(err) == wire.CodeTooLarge:
			c.Result, c.Message = PhotoTooLarge, wire.MessageOf(err)
			continue
		case err != nil:
			c.Result, c.Message = PhotoBadImage, wire.MessageOf(err)
			continue
		}
		faces, err := s.extract(ctx, jp)
		if wire.CodeOf(err) == wire.CodeInvalid {
			c.Result, c.Message = PhotoBadImage, wire.MessageOf(err)
			continue
		} else if err != nil {
			return nil, nil, fmt.Errorf("photo %d: %w", i+1, err)
		}
		c.Faces = len(faces)
		switch {
		case len(faces) == 0:
			c.Result, c.Message = PhotoNoFace, "no face found; use a well-lit frontal photo"
		case len(faces) > 1:
			c.Result, c.Message = PhotoManyFaces, fmt.Sprintf("%d faces found; use a photo of the employee alone", len(faces))
		case faces[0].Rect.Dx() < s.cfg.MinEnrollFace:
			c.Result, c.Message = PhotoTooSmall, fmt.Sprintf("the face is %d pixels wide; at least %d: come closer", faces[0].Rect.Dx(), s.cfg.MinEnrollFace)
		case len(descs) > 0 && Distance(descs[0], faces[0].Descriptor) > th:
			c.Result, c.Message = PhotoNotSame, fmt.Sprintf("does not look like the first accepted photo (distance %.2f > %.2f)", Distance(descs[0], faces[0].Descriptor), th)
		default:
			c.Result = PhotoAccepted
			descs = append(descs, faces[0].Descriptor)
		}
	}
	return checks, descs, nil
}
