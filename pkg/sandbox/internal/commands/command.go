package commands

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
)

// The stored command, its invocations and their plugin runs.

// command is one SendCommand and its invocations. It is guarded by
// Server.mu and persisted with the state.
type command struct {
	ID                 string                 `json:"id"`
	DocumentName       string                 `json:"documentName"`
	DocumentVersion    string                 `json:"documentVersion"`
	Comment            string                 `json:"comment,omitempty"`
	Parameters         map[string][]string    `json:"parameters,omitempty"`
	InstanceIDs        []string               `json:"instanceIds,omitempty"`
	Targets            []targetWire           `json:"targets,omitempty"`
	Requested          time.Time              `json:"requested"`
	Expires            time.Time              `json:"expires"`
	OutputS3BucketName string                 `json:"outputS3BucketName,omitempty"`
	OutputS3KeyPrefix  string                 `json:"outputS3KeyPrefix,omitempty"`
	MaxConcurrency     string                 `json:"maxConcurrency"`
	MaxErrors          string                 `json:"maxErrors"`
	TimeoutSeconds     int                    `json:"timeoutSeconds"`
	ServiceRole        string                 `json:"serviceRole,omitempty"`
	Notification       notificationConfig     `json:"notification"`
	CloudWatch         cloudWatchOutputConfig `json:"cloudWatch"`
	Alarm              json.RawMessage        `json:"alarm,omitempty"`
	CancelRequested    bool                   `json:"cancelRequested,omitempty"`
	Invocations        []*invocation          `json:"invocations"`

	// Runtime only.
	concurrency int // MaxConcurrency resolved against TargetCount
	errorLimit  int // MaxErrors resolved against TargetCount
	platforms   []string
	steps       []documents.Step // parameters substituted
	cancelCh    chan struct{}
}

// invocation is the command on one node.
type invocation struct {
	InstanceID    string       `json:"instanceId"`
	InstanceName  string       `json:"instanceName,omitempty"`
	Status        string       `json:"status"`
	StatusDetails string       `json:"statusDetails"`
	Plugins       []*pluginRun `json:"plugins"`

	// Runtime only.
	dispatched bool
	cancel     func()
}

// pluginRun is one step of the document on one node.
type pluginRun struct {
	Name          string    `json:"name"`
	Status        string    `json:"status"`
	StatusDetails string    `json:"statusDetails"`
	ResponseCode  int       `json:"responseCode"`
	Start         time.Time `json:"start,omitzero"`
	End           time.Time `json:"end,omitzero"`
	Stdout        string    `json:"stdout,omitempty"`
	Stderr        string    `json:"stderr,omitempty"`
	// Message replaces the output for steps the agent skipped or failed
	// before running them.
	Message string `json:"message,omitempty"`
}

func (inv *invocation) terminal() bool {
	switch inv.Status {
	case "Pending", "InProgress", "Delayed", "Cancelling":
		return false
	}
	return true
}

func (inv *invocation) plugin(name string) *pluginRun {
	for _, p := range inv.Plugins {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// setAll sets the invocation and every plugin that has not finished to a
// status the agent never reported (ResponseCode -1).
func (inv *invocation) setAll(status, details string) {
	inv.Status, inv.StatusDetails = status, details
	for _, p := range inv.Plugins {
		switch p.Status {
		case "Pending", "InProgress", "Cancelling":
			p.Status, p.StatusDetails = pluginStatus(status), details
			if p.Start.IsZero() {
				p.ResponseCode = -1
			}
		}
	}
}

// pluginStatus maps an invocation status onto CommandPluginStatus, which has
// no Delayed or Cancelling.
func pluginStatus(s string) string {
	switch s {
	case "Delayed":
		return "Pending"
	case "Cancelling":
		return "InProgress"
	}
	return s
}

func newCommandID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
