package session

// escaper finds ssh's "~." in keyboard input: a "~" typed at the start of
// a line (the first key, or right after Enter) is held back; "." then
// means "leave", "~" sends one "~", and anything else sends the held "~"
// followed by that key.
type escaper struct {
	lineStart bool
	held      bool
}

func newEscaper() *escaper { return &escaper{lineStart: true} }

// feed returns the bytes to send and whether "~." was typed (the bytes
// before it are still returned, to be sent first).
func (e *escaper) feed(in []byte) (out []byte, leave bool) {
	out = make([]byte, 0, len(in)+1)
	for _, b := range in {
		if e.held {
			e.held = false
			switch b {
			case '.':
				return out, true
			case '~':
				out = append(out, '~')
				e.lineStart = false
				continue
			default:
				out = append(out, '~')
			}
		} else if e.lineStart && b == '~' {
			e.held = true
			continue
		}
		out = append(out, b)
		e.lineStart = b == '\r' || b == '\n'
	}
	return out, false
}
