package documents

import (
	"sync"
	"time"
)

// The AWS-owned documents built into the sandbox.

// The AWS-owned Command documents ssmctl runs. Their content is AWS's
// (schema 1.2, parameter names, defaults, descriptions and the
// executionTimeout pattern, as DescribeDocument and the agent's test data
// show them); CreatedDate and Hash are AWS's published values.
const runShellScriptContent = `{
  "schemaVersion": "1.2",
  "description": "Run a shell script or specify the commands to run.",
  "parameters": {
    "commands": {
      "type": "StringList",
      "description": "(Required) Specify a shell script or a command to run.",
      "minItems": 1,
      "displayType": "textarea"
    },
    "workingDirectory": {
      "type": "String",
      "default": "",
      "description": "(Optional) The path to the working directory on your instance.",
      "maxChars": 4096
    },
    "executionTimeout": {
      "type": "String",
      "default": "3600",
      "description": "(Optional) The time in seconds for a command to complete before it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800 (48 hours).",
      "allowedPattern": "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)"
    }
  },
  "runtimeConfig": {
    "aws:runShellScript": {
      "properties": [
        {
          "id": "0.aws:runShellScript",
          "runCommand": "{{ commands }}",
          "workingDirectory": "{{ workingDirectory }}",
          "timeoutSeconds": "{{ executionTimeout }}"
        }
      ]
    }
  }
}
`

const runPowerShellScriptContent = `{
  "schemaVersion": "1.2",
  "description": "Run a PowerShell script or specify the paths to scripts to run.",
  "parameters": {
    "commands": {
      "type": "StringList",
      "description": "(Required) Specify the commands to run or the paths to existing scripts on the instance.",
      "minItems": 1,
      "displayType": "textarea"
    },
    "workingDirectory": {
      "type": "String",
      "default": "",
      "description": "(Optional) The path to the working directory on your instance.",
      "maxChars": 4096
    },
    "executionTimeout": {
      "type": "String",
      "default": "3600",
      "description": "(Optional) The time in seconds for a command to be completed before it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800 (48 hours).",
      "allowedPattern": "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)"
    }
  },
  "runtimeConfig": {
    "aws:runPowerShellScript": {
      "properties": [
        {
          "id": "0.aws:runPowerShellScript",
          "runCommand": "{{ commands }}",
          "workingDirectory": "{{ workingDirectory }}",
          "timeoutSeconds": "{{ executionTimeout }}"
        }
      ]
    }
  }
}
`

// awsDocuments are the AWS-owned documents, built (parsed) on first use,
// not at start-up: every ssmctl command links the sandbox, and only the
// sandbox reads them. They are read-only.
var awsDocuments = sync.OnceValue(func() map[string]*document {
	mk := func(name, content, hash string, created time.Time) *document {
		v := &documentVersion{Version: 1, Format: "JSON", Content: content, Created: created, Hash: hash}
		c, err := parseDocumentContent(content, "JSON")
		if err != nil {
			panic("sandbox: built-in document " + name + ": " + err.Message)
		}
		v.parsed = c
		return &document{Name: name, Owner: "Amazon", DocumentType: "Command", DefaultVersion: 1, Versions: []*documentVersion{v}}
	}
	docs := map[string]*document{
		"AWS-RunShellScript": mk("AWS-RunShellScript", runShellScriptContent,
			"99749de5e62f71e5ebe9a55c2321e2c394796afe7208cff048696541e6f6771e",
			time.Date(2017, 8, 30, 21, 33, 44, 432e6, time.UTC)),
		"AWS-RunPowerShellScript": mk("AWS-RunPowerShellScript", runPowerShellScriptContent,
			"2142e42a19e0955cc09e43600bf2e633df1917b69d2be9693737dfd62e0fdf61",
			time.Date(2017, 8, 30, 21, 34, 35, 400e6, time.UTC)),
	}
	for _, sd := range awsSessionDocuments {
		v := &documentVersion{Version: 1, Format: "JSON", Content: sd.content, Created: sd.created, Hash: documentHash(sd.content)}
		c, err := parseSessionContent(sd.content, "JSON")
		if err != nil {
			panic("sandbox: built-in document " + sd.name + ": " + err.Message)
		}
		v.parsed = c
		docs[sd.name] = &document{Name: sd.name, Owner: "Amazon", DocumentType: "Session", DefaultVersion: 1, Versions: []*documentVersion{v}}
	}
	addPatchDocument(docs)
	addAutomationDocuments(docs)
	return docs
})
