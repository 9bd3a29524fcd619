package rotate_test

import (
	"fmt"
	"net/url"
	"time"

	"punchclock/kiosk/rotate"
)

func ExampleRenderer_At() {
	// On the kiosk the content closure wraps app/token; here a stand-in.
	token := func(step time.Time) string { return fmt.Sprint(step.Unix() / 10) }
	r := rotate.New(func(now time.Time) string {
		return "https://punch.example.com/p?k=kiosk-7&t=" + url.QueryEscape(token(now))
	}, 0)

	now := time.Date(2026, 3, 2, 8, 57, 3, 0, time.UTC) // from the kiosk's clock
	f, err := r.At(now)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Text)
	fmt.Println(f.DataURL[:26])
	fmt.Println("refresh in", f.Next)
	// Output:
	// https://punch.example.com/p?k=kiosk-7&t=177244182
	// data:image/svg+xml;base64,
	// refresh in 7s
}
