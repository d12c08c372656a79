package documents

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Session documents (DocumentType Session, schema 1.0): the AWS-owned ones
// StartSession accepts, the account's own (SSM-SessionManagerRunShell holds
// the Session Manager preferences), and the preferences the sandbox
// enforces. The schema is "Session document schema" (AWS Systems Manager
// User Guide); how the agent resolves a document is in
// protocol/session-manager.md §2.6. docs/sandbox-sessions.md lists the
// decisions.

// Session types (the agent's session plugin names).
const (
	SessionTypeShell          = "Standard_Stream"
	SessionTypeInteractive    = "InteractiveCommands"
	SessionTypeNonInteractive = "NonInteractiveCommands"
	SessionTypePort           = "Port"
)

var sessionTypes = []string{SessionTypeInteractive, SessionTypeNonInteractive, SessionTypePort, SessionTypeShell}

// PreferencesDocument is the account's Session Manager preferences; StartSession
// without a DocumentName starts a Standard_Stream shell with it.
const PreferencesDocument = "SSM-SessionManagerRunShell"

// Session preference limits ("Session document schema": idleSessionTimeout
// 1-60 minutes, maxSessionDuration 1-1440 minutes) and the default idle
// timeout ("Specify an idle session timeout value": 20 minutes).
const (
	minIdleTimeout     = 1
	maxIdleTimeout     = 60
	defaultIdleTimeout = 20
	minSessionDuration = 1
	maxSessionDuration = 1440
)

// The AWS-owned Session documents. Their content follows what
// `aws ssm get-document` shows for them (parameter names, defaults and
// patterns; separateOutputStream and the prefixes of
// AWS-StartNonInteractiveCommand are what the agent reads). AWS publishes no
// hash or creation date the sandbox could copy: the hash is computed, the
// date is a fixed one.
var awsSessionDocuments = []struct {
	name    string
	content string
	created time.Time
}{
	{"AWS-StartInteractiveCommand", `{
  "schemaVersion": "1.0",
  "description": "Document to run single interactive command on an instance",
  "sessionType": "InteractiveCommands",
  "parameters": {
    "command": {
      "type": "String",
      "description": "The command to run on the instance"
    }
  },
  "properties": {
    "windows": {
      "commands": "{{command}}",
      "runAsElevated": false
    },
    "linux": {
      "commands": "{{command}}",
      "runAsElevated": false
    },
    "macos": {
      "commands": "{{command}}",
      "runAsElevated": false
    }
  }
}
`, time.Date(2020, 3, 3, 20, 4, 13, 0, time.UTC)},
	{"AWS-StartNonInteractiveCommand", `{
  "schemaVersion": "1.0",
  "description": "Document to run single non-interactive command on an instance",
  "sessionType": "NonInteractiveCommands",
  "parameters": {
    "command": {
      "type": "String",
      "description": "The command to run on the instance"
    },
    "separateOutputStream": {
      "type": "String",
      "description": "(Optional) Send stdout and stderr as separate streams, followed by the exit code",
      "allowedValues": ["true", "false"],
      "default": "false"
    },
    "stdOutSeparatorPrefix": {
      "type": "String",
      "description": "(Optional) Prefix for stdout lines when separateOutputStream is true",
      "default": ""
    },
    "stdErrSeparatorPrefix": {
      "type": "String",
      "description": "(Optional) Prefix for stderr lines when separateOutputStream is true",
      "default": ""
    }
  },
  "properties": {
    "windows": {
      "commands": "{{command}}",
      "runAsElevated": false,
      "separateOutputStream": "{{separateOutputStream}}",
      "stdOutSeparatorPrefix": "{{stdOutSeparatorPrefix}}",
      "stdErrSeparatorPrefix": "{{stdErrSeparatorPrefix}}"
    },
    "linux": {
      "commands": "{{command}}",
      "runAsElevated": false,
      "separateOutputStream": "{{separateOutputStream}}",
      "stdOutSeparatorPrefix": "{{stdOutSeparatorPrefix}}",
      "stdErrSeparatorPrefix": "{{stdErrSeparatorPrefix}}"
    },
    "macos": {
      "commands": "{{command}}",
      "runAsElevated": false,
      "separateOutputStream": "{{separateOutputStream}}",
      "stdOutSeparatorPrefix": "{{stdOutSeparatorPrefix}}",
      "stdErrSeparatorPrefix": "{{stdErrSeparatorPrefix}}"
    }
  }
}
`, time.Date(2021, 8, 30, 17, 2, 51, 0, time.UTC)},
	{"AWS-StartPortForwardingSession", `{
  "schemaVersion": "1.0",
  "description": "Document to start port forwarding session over Session Manager",
  "sessionType": "Port",
  "parameters": {
    "portNumber": {
      "type": "String",
      "description": "(Optional) Port number of the server on the instance",
      "allowedPattern": "^([1-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$",
      "default": "80"
    },
    "localPortNumber": {
      "type": "String",
      "description": "(Optional) Port number on local machine to forward traffic to. An open port is chosen at run-time if not provided",
      "allowedPattern": "^([0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$",
      "default": "0"
    }
  },
  "properties": {
    "portNumber": "{{ portNumber }}",
    "type": "LocalPortForwarding",
    "localPortNumber": "{{ localPortNumber }}"
  }
}
`, time.Date(2019, 8, 29, 18, 41, 55, 0, time.UTC)},
	{"AWS-StartPortForwardingSessionToRemoteHost", `{
  "schemaVersion": "1.0",
  "description": "Document to start port forwarding session over Session Manager to a remote host",
  "sessionType": "Port",
  "parameters": {
    "portNumber": {
      "type": "String",
      "description": "(Optional) Port number of the server on the remote host",
      "allowedPattern": "^([1-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$",
      "default": "80"
    },
    "localPortNumber": {
      "type": "String",
      "description": "(Optional) Port number on local machine to forward traffic to. An open port is chosen at run-time if not provided",
      "allowedPattern": "^([0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$",
      "default": "0"
    },
    "host": {
      "type": "String",
      "description": "(Required) The IP address or hostname of the remote host",
      "allowedPattern": "^[^\\s]+$"
    }
  },
  "properties": {
    "portNumber": "{{ portNumber }}",
    "type": "LocalPortForwarding",
    "localPortNumber": "{{ localPortNumber }}",
    "host": "{{ host }}"
  }
}
`, time.Date(2022, 5, 27, 19, 10, 2, 0, time.UTC)},
	{"AWS-StartSSHSession", `{
  "schemaVersion": "1.0",
  "description": "Document to hold regional settings for Session Manager",
  "sessionType": "Port",
  "parameters": {
    "portNumber": {
      "type": "String",
      "description": "(Optional) Port number of SSH server on the instance",
      "allowedPattern": "^([1-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$",
      "default": "22"
    }
  },
  "properties": {
    "portNumber": "{{ portNumber }}"
  }
}
`, time.Date(2019, 7, 10, 21, 0, 0, 0, time.UTC)},
}

// parseContent parses a document's content by its type.
func parseContent(docType, content, format string) (*Content, *protocol.APIError) {
	if docType == "Session" {
		return parseSessionContent(content, format)
	}
	if docType == ChangeCalendar {
		return parseCalendarContent(content, format)
	}
	if docType == "Automation" {
		return parseAutomationContent(content, format)
	}
	return parseDocumentContent(content, format)
}

// parseSessionContent parses and checks a Session document.
func parseSessionContent(content, format string) (*Content, *protocol.APIError) {
	raw, err := decodeDocument(content, format)
	if err != nil {
		return nil, errInvalidDocumentContent(fmt.Sprintf("The content is not valid %s: %v", format, err))
	}
	c := &Content{}
	c.SchemaVersion, _ = raw["schemaVersion"].(string)
	c.Description, _ = raw["description"].(string)
	if c.SchemaVersion != "1.0" {
		// "Session documents only support version 1.0."
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidDocumentSchemaVersion", "Session documents support schema version 1.0 only, not %q.", c.SchemaVersion)
	}
	c.SessionType, _ = raw["sessionType"].(string)
	if !slices.Contains(sessionTypes, c.SessionType) {
		return nil, errInvalidDocumentContent(fmt.Sprintf("sessionType %q is invalid: want one of %s.", c.SessionType, strings.Join(sessionTypes, ", ")))
	}
	if perr := c.parseParams(raw, content, format); perr != nil {
		return nil, perr
	}
	if in, ok := raw["inputs"]; ok {
		m, ok := in.(map[string]any)
		if !ok {
			return nil, errInvalidDocumentContent("inputs must be an object.")
		}
		c.Inputs = m
	}
	if c.SessionType == SessionTypeShell && c.Inputs == nil {
		// "This element is required for Session documents that are used to
		// create Standard_Stream sessions."
		return nil, errInvalidDocumentContent("A Standard_Stream Session document needs inputs (the session preferences).")
	}
	if _, _, perr := preferenceLimits(c.Inputs); perr != nil {
		return nil, perr
	}
	c.Properties = raw["properties"]
	if c.SessionType == SessionTypeInteractive || c.SessionType == SessionTypeNonInteractive || c.SessionType == SessionTypePort {
		if _, ok := c.Properties.(map[string]any); !ok {
			return nil, errInvalidDocumentContent(fmt.Sprintf("A %s Session document needs properties.", c.SessionType))
		}
	}
	var undeclared []string
	walkStrings(c.Properties, func(s string) {
		for _, m := range placeholderPattern.FindAllStringSubmatch(s, -1) {
			if c.Param(m[1]) == nil && !slices.Contains(undeclared, m[1]) {
				undeclared = append(undeclared, m[1])
			}
		}
	})
	if len(undeclared) > 0 {
		return nil, errInvalidDocumentContent(fmt.Sprintf("Parameters used in the document are not declared: %s.", strings.Join(undeclared, ", ")))
	}
	return c, nil
}

// minutesInput reads a preference given in minutes: a number or a string of
// digits; "" or absent is unset (0).
func minutesInput(inputs map[string]any, key string, lo, hi int) (int, *protocol.APIError) {
	v, ok := inputs[key]
	if !ok || v == nil {
		return 0, nil
	}
	var n int
	switch x := v.(type) {
	case string:
		x = strings.TrimSpace(x)
		if x == "" {
			return 0, nil
		}
		i, err := strconv.Atoi(x)
		if err != nil {
			return 0, errInvalidDocumentContent(fmt.Sprintf("%s %q is not a whole number of minutes.", key, x))
		}
		n = i
	case float64:
		if x != float64(int(x)) {
			return 0, errInvalidDocumentContent(fmt.Sprintf("%s %v is not a whole number of minutes.", key, x))
		}
		n = int(x)
	case int:
		n = x
	default:
		return 0, errInvalidDocumentContent(fmt.Sprintf("%s must be a number of minutes.", key))
	}
	if n < lo || n > hi {
		return 0, errInvalidDocumentContent(fmt.Sprintf("%s %d is out of range: it must be from %d to %d minutes.", key, n, lo, hi))
	}
	return n, nil
}

// preferenceLimits reads idleSessionTimeout and maxSessionDuration (minutes;
// 0 when unset).
func preferenceLimits(inputs map[string]any) (idle, maxDuration int, err *protocol.APIError) {
	if inputs == nil {
		return 0, 0, nil
	}
	if idle, err = minutesInput(inputs, "idleSessionTimeout", minIdleTimeout, maxIdleTimeout); err != nil {
		return 0, 0, err
	}
	if maxDuration, err = minutesInput(inputs, "maxSessionDuration", minSessionDuration, maxSessionDuration); err != nil {
		return 0, 0, err
	}
	return idle, maxDuration, nil
}

// SessionLimits are the preferences a session runs under, in minutes: the
// session document's own inputs where it has them, else the account's
// SSM-SessionManagerRunShell, else AWS's defaults (20-minute idle timeout,
// no maximum duration).
func (a *Area) SessionLimits(c *Content) (idleMinutes, maxMinutes int) {
	idle, maxD, _ := preferenceLimits(c.Inputs)
	if c.Inputs == nil {
		a.view(func(st *state) {
			if d := st.findDocument(PreferencesDocument); d != nil && d.DocumentType == "Session" {
				if v := d.version(d.DefaultVersion); v != nil && v.parsed != nil {
					idle, maxD, _ = preferenceLimits(v.parsed.Inputs)
				}
			}
		})
	}
	if idle == 0 {
		idle = defaultIdleTimeout
	}
	return idle, maxD
}
