package protocol

import (
	"encoding/xml"
	"net/http"
	"strconv"
)

// The Query protocol (STS): form-encoded requests (Action=...&Version=...),
// XML answers (<ActionResponse>), errors as an <ErrorResponse> document.

// Query is the Query protocol's value of Protocol.
const Query Protocol = 100

// QueryResponse is the answer of a Query operation: its XML document.
type QueryResponse struct {
	Body []byte
}

// writeQuery answers a Query call with an XML document.
func writeQuery(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amzn-RequestId", NewRequestID())
	w.WriteHeader(status)
	w.Write(body)
}

// queryError is the Query protocol's error document.
func queryError(e *APIError) []byte {
	type errorBody struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	type errorResponse struct {
		XMLName   xml.Name  `xml:"ErrorResponse"`
		Error     errorBody `xml:"Error"`
		RequestID string    `xml:"RequestId"`
	}
	typ := "Sender"
	if e.Status >= 500 {
		typ = "Receiver"
	}
	b, _ := xml.Marshal(errorResponse{Error: errorBody{Type: typ, Code: e.Type, Message: e.Message}, RequestID: NewRequestID()})
	return b
}
