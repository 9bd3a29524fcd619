//go:build js && wasm

package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"syscall/js"
)

// Client sends requests with the browser's fetch.
type Client struct{}

// Do sends req and returns the whole response. A network failure (offline,
// refused, CORS) is an error, as with net/http; HTTP error statuses are
// responses. Cancelling req's context aborts the fetch.
func (Client) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, fmt.Errorf("fetch: read request body: %w", err)
		}
		req.Body.Close()
	}
	opts := js.Global().Get("Object").New()
	opts.Set("method", req.Method)
	opts.Set("credentials", "same-origin")
	opts.Set("cache", "no-store")
	headers := js.Global().Get("Headers").New()
	for k, vs := range req.Header {
		for _, v := range vs {
			headers.Call("append", k, v)
		}
	}
	opts.Set("headers", headers)
	if len(body) > 0 {
		u8 := js.Global().Get("Uint8Array").New(len(body))
		js.CopyBytesToJS(u8, body)
		opts.Set("body", u8)
	}
	abort := js.Global().Get("AbortController").New()
	opts.Set("signal", abort.Get("signal"))

	type result struct {
		resp js.Value
		data []byte
		err  error
	}
	done := make(chan result, 1)
	var onResp, onBody, onErr js.Func
	release := func() { onResp.Release(); onBody.Release(); onErr.Release() }
	var resp js.Value
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "network error"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		done <- result{err: errors.New("fetch: " + msg)}
		return nil
	})
	onBody = js.FuncOf(func(_ js.Value, args []js.Value) any {
		u8 := js.Global().Get("Uint8Array").New(args[0])
		data := make([]byte, u8.Get("length").Int())
		js.CopyBytesToGo(data, u8)
		done <- result{resp: resp, data: data}
		return nil
	})
	onResp = js.FuncOf(func(_ js.Value, args []js.Value) any {
		resp = args[0]
		resp.Call("arrayBuffer").Call("then", onBody).Call("catch", onErr)
		return nil
	})
	js.Global().Call("fetch", req.URL.String(), opts).Call("then", onResp).Call("catch", onErr)

	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		abort.Call("abort")
		r = <-done // the promise settles (rejected) after the abort
		r.err = ctx.Err()
	}
	release()
	if r.err != nil {
		return nil, r.err
	}
	status := r.resp.Get("status").Int()
	out := &http.Response{
		Status:        strconv.Itoa(status) + " " + r.resp.Get("statusText").String(),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{},
		Body:          io.NopCloser(bytes.NewReader(r.data)),
		ContentLength: int64(len(r.data)),
		Request:       req,
	}
	each := js.FuncOf(func(_ js.Value, args []js.Value) any {
		out.Header.Add(args[1].String(), args[0].String())
		return nil
	})
	r.resp.Get("headers").Call("forEach", each)
	each.Release()
	return out, nil
}
