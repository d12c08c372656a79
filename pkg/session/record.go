package session

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"
)

// Recording writes an asciicast v2 file
// (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line,
// then one [seconds, code, data] line per event: "o" output, "i" input,
// "r" resize ("COLSxROWS"). Each event is written at once, so a crash
// keeps everything recorded before it.
type Recording struct {
	mu    sync.Mutex
	w     io.WriteCloser
	start time.Time
	input bool
	// pending holds the tail of a UTF-8 sequence split between payloads,
	// so every event's data is valid UTF-8 text.
	pending []byte
	err     error
}

// RecordingHeader is the asciicast header. SessionID, Target and Reason
// are ssmctl's own keys; players ignore keys they do not know.
type RecordingHeader struct {
	Version   int               `json:"version"`
	Width     int               `json:"width"`
	Height    int               `json:"height"`
	Timestamp int64             `json:"timestamp"`
	Title     string            `json:"title,omitempty"`
	Env       map[string]string `json:"env,omitempty"`
	SessionID string            `json:"session_id"`
	Target    string            `json:"target"`
	Reason    string            `json:"reason,omitempty"`
}

// NewRecording writes the header to w.
func NewRecording(w io.WriteCloser, h RecordingHeader, input bool, now time.Time) (*Recording, error) {
	h.Version = 2
	if h.Width <= 0 || h.Height <= 0 {
		h.Width, h.Height = 80, 24
	}
	h.Timestamp = now.Unix()
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		w.Close()
		return nil, err
	}
	return &Recording{w: w, start: now, input: input}, nil
}

// Output records what the node sent.
func (r *Recording) Output(at time.Time, data []byte) { r.event(at, "o", data) }

// Input records keys sent, if input recording is on.
func (r *Recording) Input(at time.Time, data []byte) {
	if r != nil && r.input {
		r.event(at, "i", data)
	}
}

// Resize records a new terminal size.
func (r *Recording) Resize(at time.Time, cols, rows int) {
	r.event(at, "r", []byte(fmt.Sprintf("%dx%d", cols, rows)))
}

func (r *Recording) event(at time.Time, code string, data []byte) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	if code == "o" {
		data = append(r.pending, data...)
		r.pending = nil
		if cut := incompleteTail(data); cut > 0 {
			r.pending = append([]byte(nil), data[len(data)-cut:]...)
			data = data[:len(data)-cut]
		}
		if len(data) == 0 {
			return
		}
	}
	b, err := json.Marshal([]any{at.Sub(r.start).Seconds(), code, string(data)})
	if err != nil {
		r.err = err
		return
	}
	_, r.err = r.w.Write(append(b, '\n'))
}

// Err is the first write error, if any.
func (r *Recording) Err() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close flushes a held partial character and closes the file.
func (r *Recording) Close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	if len(r.pending) > 0 && r.err == nil {
		b, _ := json.Marshal([]any{time.Since(r.start).Seconds(), "o", string(r.pending)})
		_, r.err = r.w.Write(append(b, '\n'))
	}
	r.mu.Unlock()
	err := r.w.Close()
	if r.err != nil {
		return r.err
	}
	return err
}

// incompleteTail is the length of an unfinished UTF-8 sequence at the end
// of b (0 if none).
func incompleteTail(b []byte) int {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return 0
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return i
			}
			return 0
		}
	}
	return 0
}
