package protocol

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Protocol is how a service frames requests and errors.
type Protocol int

const (
	JSON11   Protocol = iota // POST /, X-Amz-Target: Prefix.Operation
	RESTJSON                 // operation chosen by method and path
)

func contentType(p Protocol) string {
	if p == RESTJSON {
		return "application/json"
	}
	return "application/x-amz-json-1.1"
}

// NewRequestID is a request ID in AWS's format.
func NewRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// WriteJSON answers with v encoded as the protocol encodes a response.
func WriteJSON(w http.ResponseWriter, p Protocol, status int, v any) {
	if q, ok := v.(*QueryResponse); ok && p == Query {
		writeQuery(w, status, q.Body)
		return
	}
	b := []byte("{}")
	if v != nil {
		var err error
		if b, err = json.Marshal(v); err != nil {
			status = http.StatusInternalServerError
			b = []byte(`{"__type":"InternalServerError","message":"response encoding failed"}`)
		}
	}
	h := w.Header()
	h.Set("Content-Type", contentType(p))
	// AWS sends a Content-Length with every JSON response; a chunked body
	// makes the Go SDK race its connection reuse (aws-sdk-go-v2#2737).
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("X-Amzn-RequestId", NewRequestID())
	w.WriteHeader(status)
	w.Write(b)
}

// WriteError answers in AWS's error shape: the exception name in
// X-Amzn-ErrorType and, for JSON 1.1, in "__type" with a "message";
// REST-JSON services put the message in "Message".
func WriteError(w http.ResponseWriter, p Protocol, e *APIError) {
	if p == Query {
		w.Header().Set("X-Amzn-ErrorType", e.Type)
		writeQuery(w, e.Status, queryError(e))
		return
	}
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	body := map[string]string{"__type": e.Type}
	if p == RESTJSON {
		body = map[string]string{"Message": e.Message}
	} else if e.Message != "" {
		body["message"] = e.Message
	}
	WriteJSON(w, p, e.Status, body)
}
