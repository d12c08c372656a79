package session

import (
	"fmt"
	"io"
	"strings"
	"sync"

	pluginlog "github.com/aws/session-manager-plugin/src/log"
)

// nopLog discards the plugin code's log lines. The plugin's own logger
// (seelog) is never set up in ssmctl: it would watch and write files under
// /usr/local/sessionmanagerplugin.
type nopLog struct{}

func (nopLog) Tracef(string, ...interface{})                       {}
func (nopLog) Debugf(string, ...interface{})                       {}
func (nopLog) Infof(string, ...interface{})                        {}
func (nopLog) Warnf(string, ...interface{}) error                  { return nil }
func (nopLog) Errorf(string, ...interface{}) error                 { return nil }
func (nopLog) Criticalf(string, ...interface{}) error              { return nil }
func (nopLog) Trace(...interface{})                                {}
func (nopLog) Debug(...interface{})                                {}
func (nopLog) Info(...interface{})                                 {}
func (nopLog) Warn(...interface{}) error                           { return nil }
func (nopLog) Error(...interface{}) error                          { return nil }
func (nopLog) Critical(...interface{}) error                       { return nil }
func (nopLog) Flush()                                              {}
func (nopLog) Close()                                              {}
func (l nopLog) WithContext(...string) (contextLogger pluginlog.T) { return l }

// DebugLog writes the plugin code's warnings and errors to w as
// "debug: session: ..." lines (--debug), with every secret given by
// Secrets (session tokens) replaced. Trace, debug and info lines are
// dropped: they describe each message and would flood the terminal.
type DebugLog struct {
	W io.Writer
	// Secrets returns the strings to redact; it is asked for each line,
	// so a token obtained later (ResumeSession) is covered.
	Secrets func() []string
	mu      sync.Mutex
}

func (d *DebugLog) line(level, s string) error {
	if d == nil || d.W == nil {
		return nil
	}
	if d.Secrets != nil {
		for _, sec := range d.Secrets() {
			s = redact(s, sec)
		}
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", " ")
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.W, "debug: session: %s: %s\n", level, s)
	return nil
}

func (d *DebugLog) Tracef(string, ...interface{}) {}
func (d *DebugLog) Debugf(string, ...interface{}) {}
func (d *DebugLog) Infof(string, ...interface{})  {}
func (d *DebugLog) Warnf(f string, a ...interface{}) error {
	return d.line("warning", fmt.Sprintf(f, a...))
}
func (d *DebugLog) Errorf(f string, a ...interface{}) error {
	return d.line("error", fmt.Sprintf(f, a...))
}
func (d *DebugLog) Criticalf(f string, a ...interface{}) error {
	return d.line("critical", fmt.Sprintf(f, a...))
}
func (d *DebugLog) Trace(...interface{})                              {}
func (d *DebugLog) Debug(...interface{})                              {}
func (d *DebugLog) Info(...interface{})                               {}
func (d *DebugLog) Warn(a ...interface{}) error                       { return d.line("warning", fmt.Sprint(a...)) }
func (d *DebugLog) Error(a ...interface{}) error                      { return d.line("error", fmt.Sprint(a...)) }
func (d *DebugLog) Critical(a ...interface{}) error                   { return d.line("critical", fmt.Sprint(a...)) }
func (d *DebugLog) Flush()                                            {}
func (d *DebugLog) Close()                                            {}
func (d *DebugLog) WithContext(...string) (contextLogger pluginlog.T) { return d }
