// Package session owns Session Manager sessions: starting shells and
// one-shot commands on a node, listing and ending sessions, and the
// account's session preferences.
package session
