package documents

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tags"
	"gopkg.in/yaml.v3"
)

// SSM documents: CreateDocument, UpdateDocument, DeleteDocument,
// DescribeDocument, GetDocument, ListDocuments, ListDocumentVersions and
// UpdateDocumentDefaultVersion, over the AWS-owned documents ssmctl runs and
// the account's own Command documents (persisted with the state). Limits,
// patterns, enums and error names come from botocore's ssm/2014-11-06 model;
// docs/sandbox-run-command.md lists the decisions the model leaves open.

// Wire types.

type documentParameterWire struct {
	Name         string  `json:"Name"`
	Type         string  `json:"Type"`
	Description  string  `json:"Description,omitempty"`
	DefaultValue *string `json:"DefaultValue,omitempty"`
}

type documentDescription struct {
	Sha1            string                  `json:"Sha1,omitempty"`
	Hash            string                  `json:"Hash"`
	HashType        string                  `json:"HashType"`
	Name            string                  `json:"Name"`
	DisplayName     string                  `json:"DisplayName,omitempty"`
	VersionName     string                  `json:"VersionName,omitempty"`
	Owner           string                  `json:"Owner"`
	CreatedDate     *protocol.EpochTime     `json:"CreatedDate"`
	Status          string                  `json:"Status"`
	DocumentVersion string                  `json:"DocumentVersion"`
	Description     string                  `json:"Description,omitempty"`
	Parameters      []documentParameterWire `json:"Parameters"`
	PlatformTypes   []string                `json:"PlatformTypes"`
	DocumentType    string                  `json:"DocumentType"`
	SchemaVersion   string                  `json:"SchemaVersion"`
	LatestVersion   string                  `json:"LatestVersion"`
	DefaultVersion  string                  `json:"DefaultVersion"`
	DocumentFormat  string                  `json:"DocumentFormat"`
	TargetType      string                  `json:"TargetType,omitempty"`
	Tags            []tags.Tag              `json:"Tags"`
}

type documentIdentifier struct {
	Name            string              `json:"Name"`
	CreatedDate     *protocol.EpochTime `json:"CreatedDate"`
	DisplayName     string              `json:"DisplayName,omitempty"`
	Owner           string              `json:"Owner"`
	VersionName     string              `json:"VersionName,omitempty"`
	PlatformTypes   []string            `json:"PlatformTypes"`
	DocumentVersion string              `json:"DocumentVersion"`
	DocumentType    string              `json:"DocumentType"`
	SchemaVersion   string              `json:"SchemaVersion"`
	DocumentFormat  string              `json:"DocumentFormat"`
	TargetType      string              `json:"TargetType,omitempty"`
	Tags            []tags.Tag          `json:"Tags"`
}

type createDocumentInput struct {
	Content        *string     `json:"Content"`
	Name           *string     `json:"Name"`
	DisplayName    *string     `json:"DisplayName"`
	VersionName    *string     `json:"VersionName"`
	DocumentType   *string     `json:"DocumentType"`
	DocumentFormat *string     `json:"DocumentFormat"`
	TargetType     *string     `json:"TargetType"`
	Tags           []tags.Wire `json:"Tags"`
	Requires       []any       `json:"Requires"`
	Attachments    []any       `json:"Attachments"`
}

type documentDescriptionOutput struct {
	DocumentDescription documentDescription `json:"DocumentDescription"`
}

type updateDocumentInput struct {
	Content         *string `json:"Content"`
	Name            *string `json:"Name"`
	DisplayName     *string `json:"DisplayName"`
	VersionName     *string `json:"VersionName"`
	DocumentVersion *string `json:"DocumentVersion"`
	DocumentFormat  *string `json:"DocumentFormat"`
	TargetType      *string `json:"TargetType"`
	Attachments     []any   `json:"Attachments"`
}

type deleteDocumentInput struct {
	Name            *string `json:"Name"`
	DocumentVersion *string `json:"DocumentVersion"`
	VersionName     *string `json:"VersionName"`
	Force           *bool   `json:"Force"`
}

type describeDocumentInput struct {
	Name            *string `json:"Name"`
	DocumentVersion *string `json:"DocumentVersion"`
	VersionName     *string `json:"VersionName"`
}

type describeDocumentOutput struct {
	Document documentDescription `json:"Document"`
}

type getDocumentInput struct {
	Name            *string `json:"Name"`
	DocumentVersion *string `json:"DocumentVersion"`
	VersionName     *string `json:"VersionName"`
	DocumentFormat  *string `json:"DocumentFormat"`
}

type getDocumentOutput struct {
	Name            string              `json:"Name"`
	CreatedDate     *protocol.EpochTime `json:"CreatedDate"`
	DisplayName     string              `json:"DisplayName,omitempty"`
	VersionName     string              `json:"VersionName,omitempty"`
	DocumentVersion string              `json:"DocumentVersion"`
	Status          string              `json:"Status"`
	Content         string              `json:"Content"`
	DocumentType    string              `json:"DocumentType"`
	DocumentFormat  string              `json:"DocumentFormat"`
}

type documentFilter struct {
	Key   *string `json:"key"`
	Value *string `json:"value"`
}

type documentKeyValuesFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

type listDocumentsInput struct {
	DocumentFilterList []documentFilter          `json:"DocumentFilterList"`
	Filters            []documentKeyValuesFilter `json:"Filters"`
	MaxResults         *int32                    `json:"MaxResults"`
	NextToken          *string                   `json:"NextToken"`
}

type listDocumentsOutput struct {
	DocumentIdentifiers []documentIdentifier `json:"DocumentIdentifiers"`
	NextToken           string               `json:"NextToken,omitempty"`
}

type listDocumentVersionsInput struct {
	Name       *string `json:"Name"`
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

type documentVersionInfo struct {
	Name             string              `json:"Name"`
	DisplayName      string              `json:"DisplayName,omitempty"`
	DocumentVersion  string              `json:"DocumentVersion"`
	VersionName      string              `json:"VersionName,omitempty"`
	CreatedDate      *protocol.EpochTime `json:"CreatedDate"`
	IsDefaultVersion bool                `json:"IsDefaultVersion"`
	DocumentFormat   string              `json:"DocumentFormat"`
	Status           string              `json:"Status"`
}

type listDocumentVersionsOutput struct {
	DocumentVersions []documentVersionInfo `json:"DocumentVersions"`
	NextToken        string                `json:"NextToken,omitempty"`
}

type updateDocumentDefaultVersionInput struct {
	Name            *string `json:"Name"`
	DocumentVersion *string `json:"DocumentVersion"`
}

type documentDefaultVersionDescription struct {
	Name               string `json:"Name"`
	DefaultVersion     string `json:"DefaultVersion"`
	DefaultVersionName string `json:"DefaultVersionName,omitempty"`
}

type updateDocumentDefaultVersionOutput struct {
	Description documentDefaultVersionDescription `json:"Description"`
}

// Model patterns, enums and limits.
var (
	documentNamePattern  = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	DocumentARNPattern   = regexp.MustCompile(`^[a-zA-Z0-9_\-.:/]{3,128}$`)
	VersionPattern       = regexp.MustCompile(`([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)`)
	versionNumberPattern = regexp.MustCompile(`(^[1-9][0-9]*$)`)
	versionNamePattern   = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{1,128}$`)
	displayNamePattern   = regexp.MustCompile(`^[\w\.\-\:\/ ]*$`)
	targetTypePattern    = regexp.MustCompile(`^\/[\w\.\-\:\/]*$`)
	documentTypes        = []string{"Command", "Policy", "Automation", "Session", "Package", "ApplicationConfiguration", "ApplicationConfigurationSchema", "DeploymentStrategy", "ChangeCalendar", "Automation.ChangeTemplate", "ProblemAnalysis", "ProblemAnalysisTemplate", "CloudFormation", "ConformancePackTemplate", "QuickSetup", "ManualApprovalPolicy", "AutoApprovalPolicy"}
	documentFormats      = []string{"YAML", "JSON", "TEXT"}
	// The agent's parameter name rule (docparser/parameters: ^[a-zA-Z0-9]+$).
	documentParamNamePattern = regexp.MustCompile(`^[a-zA-Z0-9]+$`)
	// {{ name }} placeholders, as the agent finds them.
	placeholderPattern = regexp.MustCompile(`{{\s*([a-zA-Z0-9_:.\-/]+)\s*}}`)
	// CreateDocument's Name documentation: prefixes reserved by AWS.
	reservedDocumentPrefixes = []string{"aws", "amazon", "amzn", "AWSEC2", "AWSConfigRemediation", "AWSSupport"}
	// Parameter types of SSM documents ("SSM document data elements and
	// parameters", AWS Systems Manager User Guide).
	documentParamTypes = []string{"String", "StringList", "Integer", "Boolean", "MapList", "StringMap"}
)

const (
	// CreateDocument's Content documentation: "must not exceed 64KB".
	maxDocumentSize = 64 * 1024
	// Systems Manager service quotas: 1,000 versions per document.
	maxDocumentVersions = 1000
	// Systems Manager service quotas: 500 documents per account.
	maxOwnDocuments         = 500
	defaultListDocumentPage = 50
	// The agent's aws:runDocument plugin stops at this nesting depth
	// (plugins/rundocument: executeCommandMaxDepth).
	MaxRunDocumentDepth = 3
)

func ErrInvalidDocument(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidDocument", "%s", msg)
}

func errInvalidDocumentVersion(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidDocumentVersion", "%s", msg)
}

func errInvalidDocumentContent(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidDocumentContent", "%s", msg)
}

func errInvalidDocumentOperation(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidDocumentOperation", "%s", msg)
}

func errInvalidParameters(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidParameters", "%s", msg)
}

// document is one SSM document with its versions. AWS-owned documents are
// built in (Owner "Amazon") and never persisted.
type document struct {
	Name           string             `json:"name"`
	Owner          string             `json:"owner"`
	DocumentType   string             `json:"documentType"`
	TargetType     string             `json:"targetType,omitempty"`
	DefaultVersion int                `json:"defaultVersion"`
	Tags           map[string]string  `json:"tags,omitempty"`
	Versions       []*documentVersion `json:"versions"`
}

type documentVersion struct {
	Version     int       `json:"version"`
	VersionName string    `json:"versionName,omitempty"`
	DisplayName string    `json:"displayName,omitempty"`
	Format      string    `json:"format"`
	Content     string    `json:"content"`
	Created     time.Time `json:"created"`
	Hash        string    `json:"hash"`

	parsed *Content
}

func (d *document) latest() *documentVersion { return d.Versions[len(d.Versions)-1] }

func (d *document) version(n int) *documentVersion {
	for _, v := range d.Versions {
		if v.Version == n {
			return v
		}
	}
	return nil
}

// Content is a parsed Command document.
type Content struct {
	SchemaVersion string
	Description   string
	Params        []*Param
	Steps         []Step
	// Legacy is a schema 1.2 document (runtimeConfig instead of mainSteps).
	Legacy bool

	// Session documents (session_documents.go): the session type, the
	// session preferences (inputs) and the properties the agent resolves.
	SessionType string
	Inputs      map[string]any
	Properties  any
}

func (c *Content) Param(name string) *Param {
	for _, p := range c.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

type Param struct {
	Name           string
	Type           string
	Description    string
	Default        any
	HasDefault     bool
	AllowedValues  []string
	AllowedPattern string
	MinItems       *int
	MaxItems       *int
	MinChars       *int
	MaxChars       *int
}

// Step is one plugin run: a 2.2 mainSteps entry, or one properties
// entry of a 1.2 runtimeConfig plugin (named after the plugin).
type Step struct {
	Action       string
	Name         string
	Inputs       map[string]any
	Precondition map[string]any
}

// Plugins the agent knows (appconfig plugin names); the sandbox runs the
// first three, the others fail when run.
var knownPlugins = []string{
	"aws:runShellScript", "aws:runPowerShellScript", "aws:runDocument",
	"aws:applications", "aws:cloudWatch", "aws:configureDocker", "aws:configurePackage",
	"aws:domainJoin", "aws:downloadContent", "aws:psModule", "aws:refreshAssociation",
	"aws:runDockerAction", "aws:softwareInventory", "aws:updateAgent", "aws:updateSsmAgent",
}

// pluginPlatforms is where a plugin runs, as AWS reports it in the
// PlatformTypes of the AWS documents that use it: AWS-RunShellScript is
// [Linux, MacOS] and AWS-RunPowerShellScript [Windows, Linux] (DescribeDocument
// answers quoted in docs/sandbox-run-command.md).
func pluginPlatforms(action string) []string {
	switch action {
	case "aws:runShellScript":
		return []string{"Linux", "MacOS"}
	case "aws:runPowerShellScript":
		return []string{"Windows", "Linux"}
	}
	return []string{"Windows", "Linux", "MacOS"}
}

func (c *Content) PlatformTypes() []string {
	if c.SessionType != "" {
		// Session documents run on every platform the agent supports.
		return slices.Clone(protocol.PlatformTypes)
	}
	var out []string
	for _, plat := range protocol.PlatformTypes {
		for _, s := range c.Steps {
			if slices.Contains(pluginPlatforms(s.Action), plat) {
				out = append(out, plat)
				break
			}
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

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

// awsDocuments are built once; they are read-only.
var awsDocuments = func() map[string]*document {
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
	return docs
}()

// documentName turns a name or an SSM document ARN into a name.
func Name(s string) string {
	if strings.HasPrefix(s, "arn:") {
		if i := strings.LastIndex(s, ":document/"); i >= 0 {
			return s[i+len(":document/"):]
		}
	}
	return s
}

// findDocument looks a document up by name or ARN.
func (st *state) findDocument(name string) *document {
	name = Name(name)
	if d := awsDocuments[name]; d != nil {
		return d
	}
	for _, d := range st.Documents {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// resolveVersion picks a document version by number, $LATEST, $DEFAULT
// (the default when empty) or version name.
func resolveVersion(d *document, version, versionName string) (*documentVersion, error) {
	var v *documentVersion
	switch version {
	case "", "$DEFAULT":
		v = d.version(d.DefaultVersion)
	case "$LATEST":
		v = d.latest()
	default:
		n, err := strconv.Atoi(version)
		if err == nil {
			v = d.version(n)
		}
		if v == nil {
			return nil, errInvalidDocumentVersion(fmt.Sprintf("Document %s does not have version %s.", d.Name, version))
		}
	}
	if versionName != "" {
		if version == "" {
			v = nil
			for _, x := range d.Versions {
				if x.VersionName == versionName {
					v = x
				}
			}
		}
		if v == nil || v.VersionName != versionName {
			return nil, errInvalidDocumentVersion(fmt.Sprintf("Document %s does not have a version named %s.", d.Name, versionName))
		}
	}
	return v, nil
}

func documentHash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// decodeDocument decodes JSON or YAML content into plain Go values
// (map[string]any, []any, string, float64/int, bool).
func decodeDocument(content, format string) (map[string]any, error) {
	var raw any
	if format == "YAML" {
		if err := yaml.Unmarshal([]byte(content), &raw); err != nil {
			return nil, err
		}
	} else {
		dec := json.NewDecoder(strings.NewReader(content))
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if dec.More() {
			return nil, fmt.Errorf("content after the end of the JSON document")
		}
	}
	m, ok := NormalizeYAML(raw).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is not an object")
	}
	return m, nil
}

// NormalizeYAML turns yaml.v3's values into encoding/json's shapes.
func NormalizeYAML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = NormalizeYAML(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = NormalizeYAML(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = NormalizeYAML(e)
		}
		return x
	case int:
		return float64(x)
	}
	return v
}

// parameterOrder returns the keys of the document's "parameters" object in
// the order the author wrote them (DescribeDocument lists them so).
func parameterOrder(content, format string) []string {
	var keys []string
	if format == "YAML" {
		var root yaml.Node
		if yaml.Unmarshal([]byte(content), &root) != nil || len(root.Content) == 0 {
			return nil
		}
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "parameters" && m.Content[i+1].Kind == yaml.MappingNode {
				p := m.Content[i+1]
				for j := 0; j+1 < len(p.Content); j += 2 {
					keys = append(keys, p.Content[j].Value)
				}
			}
		}
		return keys
	}
	var top map[string]json.RawMessage
	if json.Unmarshal([]byte(content), &top) != nil || top["parameters"] == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(top["parameters"]))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		if k, ok := t.(string); ok {
			keys = append(keys, k)
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

func intField(m map[string]any, key string) (*int, error) {
	v, ok := m[key]
	if !ok {
		return nil, nil
	}
	switch x := v.(type) {
	case float64:
		n := int(x)
		return &n, nil
	case string:
		n, err := strconv.Atoi(x)
		if err == nil {
			return &n, nil
		}
	}
	return nil, fmt.Errorf("%s must be a number", key)
}

// parseDocumentContent parses and checks a Command document. Schema 2.2
// (and 2.0) documents have mainSteps; the AWS-owned 1.2 documents have a
// runtimeConfig.
func parseDocumentContent(content, format string) (*Content, *protocol.APIError) {
	raw, err := decodeDocument(content, format)
	if err != nil {
		return nil, errInvalidDocumentContent(fmt.Sprintf("The content is not valid %s: %v", format, err))
	}
	c := &Content{}
	c.SchemaVersion, _ = raw["schemaVersion"].(string)
	c.Description, _ = raw["description"].(string)
	switch c.SchemaVersion {
	case "1.2", "2.0", "2.2":
	case "1.0":
		if _, ok := raw["sessionType"]; ok {
			return nil, errInvalidDocumentContent("A document with a sessionType is a Session document: create it with DocumentType Session.")
		}
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidDocumentSchemaVersion", "Schema version 1.0 is not supported for Command documents: use 2.2.")
	case "":
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidDocumentSchemaVersion", "The document has no schemaVersion.")
	default:
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidDocumentSchemaVersion", "Schema version %s is not supported for Command documents: use 2.2.", c.SchemaVersion)
	}
	if err := c.parseParams(raw, content, format); err != nil {
		return nil, err
	}

	if c.SchemaVersion == "1.2" {
		c.Legacy = true
		rc, _ := raw["runtimeConfig"].(map[string]any)
		if len(rc) == 0 {
			return nil, errInvalidDocumentContent("A schema 1.2 document needs a runtimeConfig.")
		}
		names := make([]string, 0, len(rc))
		for k := range rc {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, plugin := range names {
			cfg, _ := rc[plugin].(map[string]any)
			props, _ := cfg["properties"].([]any)
			for _, p := range props {
				in, _ := p.(map[string]any)
				c.Steps = append(c.Steps, Step{Action: plugin, Name: plugin, Inputs: in})
			}
		}
	} else {
		steps, ok := raw["mainSteps"].([]any)
		if !ok || len(steps) == 0 {
			return nil, errInvalidDocumentContent("mainSteps is required and must list at least one step.")
		}
		seen := map[string]bool{}
		for i, s := range steps {
			m, ok := s.(map[string]any)
			if !ok {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step %d must be an object.", i+1))
			}
			st := Step{}
			st.Action, _ = m["action"].(string)
			st.Name, _ = m["name"].(string)
			st.Inputs, _ = m["inputs"].(map[string]any)
			st.Precondition, _ = m["precondition"].(map[string]any)
			if st.Name == "" || !versionNamePattern.MatchString(st.Name) {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step %d: name %q is missing or invalid (letters, digits, _ . - only).", i+1, st.Name))
			}
			if seen[st.Name] {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step name %s is used twice.", st.Name))
			}
			seen[st.Name] = true
			if !slices.Contains(knownPlugins, st.Action) {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s: action %q is not a Command document plugin.", st.Name, st.Action))
			}
			if st.Inputs == nil {
				return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s has no inputs.", st.Name))
			}
			if st.Action == "aws:runShellScript" || st.Action == "aws:runPowerShellScript" {
				if _, ok := st.Inputs["runCommand"]; !ok {
					return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s: %s needs runCommand.", st.Name, st.Action))
				}
			}
			if st.Action == "aws:runDocument" {
				if dt, _ := st.Inputs["documentType"].(string); dt != "SSMDocument" && dt != "LocalPath" && !placeholderPattern.MatchString(dt) {
					return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s: documentType must be SSMDocument or LocalPath.", st.Name))
				}
				if dp, _ := st.Inputs["documentPath"].(string); dp == "" {
					return nil, errInvalidDocumentContent(fmt.Sprintf("Step %s: documentPath is required.", st.Name))
				}
			}
			c.Steps = append(c.Steps, st)
		}
	}
	// Every {{ name }} must name a declared parameter (ssm: and ssm-secure:
	// references to Parameter Store are not supported by the sandbox).
	var undeclared []string
	walkStrings(raw["mainSteps"], func(s string) {
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

// parseParams reads a document's parameters, in the order the content
// declares them.
func (c *Content) parseParams(raw map[string]any, content, format string) *protocol.APIError {
	params, _ := raw["parameters"].(map[string]any)
	if raw["parameters"] != nil && params == nil {
		return errInvalidDocumentContent("parameters must be an object.")
	}
	order := parameterOrder(content, format)
	for name := range params {
		if !slices.Contains(order, name) {
			order = append(order, name)
		}
	}
	for _, name := range order {
		spec, ok := params[name].(map[string]any)
		if !ok {
			return errInvalidDocumentContent(fmt.Sprintf("Parameter %s must be an object.", name))
		}
		if !documentParamNamePattern.MatchString(name) {
			return errInvalidDocumentContent(fmt.Sprintf("Parameter name %s is invalid: use letters and digits only.", name))
		}
		p := &Param{Name: name}
		p.Type, _ = spec["type"].(string)
		if !slices.Contains(documentParamTypes, p.Type) {
			return errInvalidDocumentContent(fmt.Sprintf("Parameter %s has type %q: want one of %s.", name, p.Type, strings.Join(documentParamTypes, ", ")))
		}
		p.Description, _ = spec["description"].(string)
		p.AllowedPattern, _ = spec["allowedPattern"].(string)
		if p.AllowedPattern != "" {
			if _, err := regexp.Compile(p.AllowedPattern); err != nil {
				return errInvalidDocumentContent(fmt.Sprintf("Parameter %s: allowedPattern is not a valid regular expression.", name))
			}
		}
		if av, ok := spec["allowedValues"].([]any); ok {
			for _, x := range av {
				p.AllowedValues = append(p.AllowedValues, fmt.Sprint(x))
			}
		}
		for key, dst := range map[string]**int{"minItems": &p.MinItems, "maxItems": &p.MaxItems, "minChars": &p.MinChars, "maxChars": &p.MaxChars} {
			n, err := intField(spec, key)
			if err != nil {
				return errInvalidDocumentContent(fmt.Sprintf("Parameter %s: %v.", name, err))
			}
			*dst = n
		}
		if d, ok := spec["default"]; ok {
			p.Default, p.HasDefault = d, true
			if _, err := p.TypedValue(d); err != nil {
				return errInvalidDocumentContent(fmt.Sprintf("The default value of parameter %s is invalid: %v.", name, err))
			}
		}
		c.Params = append(c.Params, p)
	}
	return nil
}

func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case map[string]any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	}
}

// typedValue checks a value (from the document's default or a caller) and
// returns it in the shape the agent substitutes.
func (p *Param) TypedValue(v any) (any, error) {
	checkString := func(s string) error {
		n := len([]rune(s))
		if p.MinChars != nil && n < *p.MinChars {
			return fmt.Errorf("%q is shorter than %d characters", s, *p.MinChars)
		}
		if p.MaxChars != nil && n > *p.MaxChars {
			return fmt.Errorf("a value is longer than %d characters", *p.MaxChars)
		}
		if len(p.AllowedValues) > 0 && !slices.Contains(p.AllowedValues, s) {
			return fmt.Errorf("%q is not one of the allowed values %s", s, strings.Join(p.AllowedValues, ", "))
		}
		// AWS matches allowedPattern against the whole value (the
		// AWS-owned documents' unanchored executionTimeout pattern would
		// otherwise accept "0x"); the sandbox anchors it.
		if p.AllowedPattern != "" {
			if !regexp.MustCompile(`^(?:` + p.AllowedPattern + `)$`).MatchString(s) {
				return fmt.Errorf("%q does not match the allowed pattern %s", s, p.AllowedPattern)
			}
		}
		return nil
	}
	switch p.Type {
	case "String":
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string")
		}
		return s, checkString(s)
	case "StringList":
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("want a list of strings")
		}
		if p.MinItems != nil && len(list) < *p.MinItems {
			return nil, fmt.Errorf("at least %d items are required", *p.MinItems)
		}
		if p.MaxItems != nil && len(list) > *p.MaxItems {
			return nil, fmt.Errorf("at most %d items are allowed", *p.MaxItems)
		}
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want a list of strings")
			}
			if err := checkString(s); err != nil {
				return nil, err
			}
		}
		return list, nil
	case "Integer":
		switch x := v.(type) {
		case float64:
			if x != float64(int64(x)) {
				return nil, fmt.Errorf("%v is not an integer", x)
			}
			return x, checkString(strconv.FormatInt(int64(x), 10))
		case string:
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not an integer", x)
			}
			return float64(n), checkString(x)
		}
		return nil, fmt.Errorf("want an integer")
	case "Boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(x); err == nil && (x == "true" || x == "false") {
				return b, nil
			}
			return nil, fmt.Errorf("%q is not true or false", x)
		}
		return nil, fmt.Errorf("want true or false")
	case "StringMap":
		switch x := v.(type) {
		case map[string]any:
			return x, nil
		case string:
			var m map[string]any
			if err := json.Unmarshal([]byte(x), &m); err != nil {
				return nil, fmt.Errorf("want a JSON object")
			}
			return m, nil
		}
		return nil, fmt.Errorf("want a map")
	case "MapList":
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if _, ok := e.(map[string]any); !ok {
					return nil, fmt.Errorf("want a list of maps")
				}
			}
			return x, nil
		case string:
			var l []any
			if err := json.Unmarshal([]byte(x), &l); err != nil {
				return nil, fmt.Errorf("want a JSON list of objects")
			}
			return p.TypedValue(l)
		}
		return nil, fmt.Errorf("want a list of maps")
	}
	return nil, fmt.Errorf("unknown type %s", p.Type)
}

// ResolveParameters validates SendCommand's Parameters (every value a list
// of strings on the wire) against the document and fills in defaults. The
// result maps each parameter to its typed value.
func ResolveParameters(docName string, c *Content, given map[string][]string) (map[string]any, *protocol.APIError) {
	names := make([]string, 0, len(given))
	for k := range given {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]any, len(c.Params))
	for _, name := range names {
		p := c.Param(name)
		if p == nil {
			return nil, errInvalidParameters(fmt.Sprintf("Parameter %q is not defined in document %s.", name, docName))
		}
		vals := given[name]
		var v any
		switch p.Type {
		case "StringList":
			l := make([]any, len(vals))
			for i, s := range vals {
				l[i] = s
			}
			v = l
		case "MapList":
			if len(vals) == 1 && strings.HasPrefix(strings.TrimSpace(vals[0]), "[") {
				v = vals[0]
			} else {
				l := make([]any, 0, len(vals))
				for _, s := range vals {
					var m map[string]any
					if err := json.Unmarshal([]byte(s), &m); err != nil {
						return nil, errInvalidParameters(fmt.Sprintf("Parameter %q of document %s: want a list of JSON objects.", name, docName))
					}
					l = append(l, m)
				}
				v = l
			}
		default:
			if len(vals) != 1 {
				return nil, errInvalidParameters(fmt.Sprintf("Parameter %q of document %s is a %s: give exactly one value, not %d.", name, docName, p.Type, len(vals)))
			}
			v = vals[0]
		}
		tv, err := p.TypedValue(v)
		if err != nil {
			return nil, errInvalidParameters(fmt.Sprintf("Parameter %q of document %s is invalid: %v.", name, docName, err))
		}
		out[name] = tv
	}
	for _, p := range c.Params {
		if _, ok := out[p.Name]; ok {
			continue
		}
		if !p.HasDefault {
			return nil, errInvalidParameters(fmt.Sprintf("Parameter %q of document %s is required: it has no default value.", p.Name, docName))
		}
		out[p.Name], _ = p.TypedValue(p.Default)
	}
	return out, nil
}

// substitute replaces {{ name }} placeholders as the agent does
// (docparser/parameters.ReplaceParameters): a string that is only a
// placeholder becomes the parameter's typed value; placeholders inside a
// longer string are replaced by the value, JSON-encoded unless a string.
func Substitute(v any, params map[string]any) any {
	switch x := v.(type) {
	case string:
		if m := placeholderPattern.FindStringSubmatch(x); m != nil && m[0] == strings.TrimSpace(x) && strings.TrimSpace(x) == x {
			if pv, ok := params[m[1]]; ok {
				return pv
			}
		}
		return placeholderPattern.ReplaceAllStringFunc(x, func(tok string) string {
			name := placeholderPattern.FindStringSubmatch(tok)[1]
			pv, ok := params[name]
			if !ok {
				return tok
			}
			if s, ok := pv.(string); ok {
				return s
			}
			b, _ := json.Marshal(pv)
			return string(b)
		})
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Substitute(e, params)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Substitute(e, params)
		}
		return out
	}
	return v
}

// Describing documents.

func (a *Area) documentOwner(d *document) string {
	if d.Owner == "Amazon" {
		return "Amazon"
	}
	return a.h.AccountID
}

func defaultValueString(v any) *string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		s = string(b)
	}
	return &s
}

func (a *Area) describe(d *document, v *documentVersion, status string) documentDescription {
	c := v.parsed
	params := make([]documentParameterWire, 0, len(c.Params))
	for _, p := range c.Params {
		w := documentParameterWire{Name: p.Name, Type: p.Type, Description: p.Description}
		if p.HasDefault {
			w.DefaultValue = defaultValueString(p.Default)
		}
		params = append(params, w)
	}
	return documentDescription{
		Hash: v.Hash, HashType: "Sha256",
		Name: d.Name, DisplayName: v.DisplayName, VersionName: v.VersionName,
		Owner: a.documentOwner(d), CreatedDate: protocol.Epoch(v.Created), Status: status,
		DocumentVersion: strconv.Itoa(v.Version), Description: c.Description,
		Parameters: params, PlatformTypes: c.PlatformTypes(), DocumentType: d.DocumentType,
		SchemaVersion: c.SchemaVersion, LatestVersion: strconv.Itoa(d.latest().Version),
		DefaultVersion: strconv.Itoa(d.DefaultVersion), DocumentFormat: v.Format,
		TargetType: d.TargetType, Tags: tags.List(d.Tags),
	}
}

// Handlers.

// validateDocumentRef applies the model's rules to a Name / DocumentVersion
// / VersionName triple.
func validateDocumentRef(v *protocol.Validator, name, version, versionName *string, namePattern *regexp.Regexp) {
	if v.Required("name", name != nil) {
		v.Pattern("name", *name, namePattern)
	}
	if version != nil {
		v.Pattern("documentVersion", *version, VersionPattern)
	}
	if versionName != nil {
		v.Pattern("versionName", *versionName, versionNamePattern)
	}
}

func validateContentFields(v *protocol.Validator, content, displayName, versionName, format, targetType *string) {
	if v.Required("content", content != nil) {
		v.Length("content", *content, 1, -1)
	}
	if displayName != nil {
		v.Length("displayName", *displayName, 0, 1024)
		v.Pattern("displayName", *displayName, displayNamePattern)
	}
	if versionName != nil {
		v.Pattern("versionName", *versionName, versionNamePattern)
	}
	if format != nil {
		v.Enum("documentFormat", *format, documentFormats...)
	}
	if targetType != nil {
		v.Length("targetType", *targetType, 0, 200)
		v.Pattern("targetType", *targetType, targetTypePattern)
	}
}

// newVersion parses content into a document version.
func newVersion(docType, content string, format *string, now time.Time) (*documentVersion, *protocol.APIError) {
	f := "JSON"
	if format != nil {
		f = *format
	}
	if f == "TEXT" {
		return nil, errInvalidDocumentContent(fmt.Sprintf("TEXT is not a format for %s documents: use JSON or YAML.", docType))
	}
	if len(content) > maxDocumentSize {
		return nil, protocol.Errorf(http.StatusBadRequest, "MaxDocumentSizeExceeded", "The content exceeds the maximum size of 64 KB.")
	}
	c, err := parseContent(docType, content, f)
	if err != nil {
		return nil, err
	}
	if c.Legacy {
		// AWS no longer creates schema 1.2 documents.
		return nil, protocol.Errorf(http.StatusBadRequest, "InvalidDocumentSchemaVersion", "Schema version 1.2 is no longer supported for new documents: use 2.2.")
	}
	return &documentVersion{Format: f, Content: content, Created: now.UTC(), Hash: documentHash(content), parsed: c}, nil
}

func (a *Area) createDocument(in *createDocumentInput) (*documentDescriptionOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Pattern("name", *in.Name, documentNamePattern)
	}
	validateContentFields(&v, in.Content, in.DisplayName, in.VersionName, in.DocumentFormat, in.TargetType)
	if in.DocumentType != nil {
		v.Enum("documentType", *in.DocumentType, documentTypes...)
	}
	v.Count("tags", len(in.Tags), 0, 1000)
	for i, t := range in.Tags {
		p := fmt.Sprintf("tags.%d.member", i+1)
		if v.Required(p+".key", t.Key != nil) {
			v.Length(p+".key", *t.Key, 1, 128)
			v.Pattern(p+".key", *t.Key, tags.KeyPattern)
		}
		if v.Required(p+".value", t.Value != nil) {
			v.Length(p+".value", *t.Value, 0, 256)
			v.Pattern(p+".value", *t.Value, tags.ValuePattern)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	for _, pre := range reservedDocumentPrefixes {
		if strings.HasPrefix(strings.ToLower(*in.Name), strings.ToLower(pre)) {
			return nil, protocol.ErrValidation(fmt.Sprintf("Document name %s is invalid: names can't begin with %s (reserved by AWS).", *in.Name, pre))
		}
	}
	docType := "Command"
	if in.DocumentType != nil {
		docType = *in.DocumentType
	}
	if docType != "Command" && docType != "Session" {
		return nil, errInvalidDocumentContent(fmt.Sprintf("The sandbox stores Command and Session documents only, not %s documents.", docType))
	}
	ver, aerr := newVersion(docType, *in.Content, in.DocumentFormat, a.h.Clock())
	if aerr != nil {
		return nil, aerr
	}
	ver.Version = 1
	if in.VersionName != nil {
		ver.VersionName = *in.VersionName
	}
	if in.DisplayName != nil {
		ver.DisplayName = *in.DisplayName
	}
	d := &document{Name: *in.Name, Owner: "Self", DocumentType: docType, DefaultVersion: 1, Versions: []*documentVersion{ver}}
	if in.TargetType != nil {
		d.TargetType = *in.TargetType
	}
	if len(in.Tags) > 0 {
		d.Tags = map[string]string{}
		for _, t := range in.Tags {
			d.Tags[*t.Key] = *t.Value
		}
	}
	var out documentDescriptionOutput
	err := a.mutate(func(st *state) error {
		if st.findDocument(d.Name) != nil {
			return protocol.Errorf(http.StatusBadRequest, "DocumentAlreadyExists", "Document with same name %s already exists.", d.Name)
		}
		if len(st.Documents) >= maxOwnDocuments {
			return protocol.Errorf(http.StatusBadRequest, "DocumentLimitExceeded", "You can create at most %d documents.", maxOwnDocuments)
		}
		st.Documents = append(st.Documents, d)
		// CreateDocument answers while AWS is still creating the document.
		out.DocumentDescription = a.describe(d, ver, "Creating")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ownDocument finds a document the account may change.
func ownDocument(st *state, name string) (*document, error) {
	d := st.findDocument(name)
	if d == nil {
		return nil, ErrInvalidDocument(fmt.Sprintf("Document %s does not exist in your account.", name))
	}
	if d.Owner == "Amazon" {
		return nil, errInvalidDocumentOperation(fmt.Sprintf("Document %s is owned by Amazon: you can't change or delete it.", d.Name))
	}
	return d, nil
}

func (a *Area) updateDocument(in *updateDocumentInput) (*documentDescriptionOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Pattern("name", *in.Name, documentNamePattern)
	}
	validateContentFields(&v, in.Content, in.DisplayName, in.VersionName, in.DocumentFormat, in.TargetType)
	if in.DocumentVersion != nil {
		v.Pattern("documentVersion", *in.DocumentVersion, VersionPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	docType := "Command"
	a.view(func(st *state) {
		if d := st.findDocument(*in.Name); d != nil {
			docType = d.DocumentType
		}
	})
	ver, aerr := newVersion(docType, *in.Content, in.DocumentFormat, a.h.Clock())
	if aerr != nil {
		return nil, aerr
	}
	var out documentDescriptionOutput
	err := a.mutate(func(st *state) error {
		d, err := ownDocument(st, *in.Name)
		if err != nil {
			return err
		}
		if d.DocumentType != docType {
			return errInvalidDocumentContent(fmt.Sprintf("Document %s changed type while it was being updated.", d.Name))
		}
		latest := d.latest()
		// UpdateDocument's DocumentVersion documentation: "Systems Manager
		// supports updating only the latest version of the document."
		if in.DocumentVersion != nil && *in.DocumentVersion != "$LATEST" && *in.DocumentVersion != strconv.Itoa(latest.Version) {
			return errInvalidDocumentVersion(fmt.Sprintf("You can update only the latest version (%d) of document %s.", latest.Version, d.Name))
		}
		if latest.Hash == ver.Hash {
			return protocol.Errorf(http.StatusBadRequest, "DuplicateDocumentContent", "The content of the association document matches another document. Change the content of the document and try again.")
		}
		if in.VersionName != nil {
			for _, x := range d.Versions {
				if x.VersionName == *in.VersionName {
					return protocol.Errorf(http.StatusBadRequest, "DuplicateDocumentVersionName", "Version name %s is already used by version %d.", *in.VersionName, x.Version)
				}
			}
			ver.VersionName = *in.VersionName
		}
		if len(d.Versions) >= maxDocumentVersions {
			return protocol.Errorf(http.StatusBadRequest, "DocumentVersionLimitExceeded", "Document %s has the maximum of %d versions: delete one first.", d.Name, maxDocumentVersions)
		}
		ver.DisplayName = latest.DisplayName
		if in.DisplayName != nil {
			ver.DisplayName = *in.DisplayName
		}
		if in.TargetType != nil {
			d.TargetType = *in.TargetType
		}
		ver.Version = latest.Version + 1
		d.Versions = append(d.Versions, ver)
		out.DocumentDescription = a.describe(d, ver, "Updating")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) deleteDocument(in *deleteDocumentInput) (*protocol.Empty, error) {
	var v protocol.Validator
	validateDocumentRef(&v, in.Name, in.DocumentVersion, in.VersionName, documentNamePattern)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := a.mutate(func(st *state) error {
		d, err := ownDocument(st, *in.Name)
		if err != nil {
			return err
		}
		if in.DocumentVersion == nil && in.VersionName == nil {
			st.Documents = slices.DeleteFunc(st.Documents, func(x *document) bool { return x == d })
			return nil
		}
		ver, err := resolveVersion(d, protocol.Deref(in.DocumentVersion), protocol.Deref(in.VersionName))
		if err != nil {
			return err
		}
		if ver.Version == d.DefaultVersion {
			return errInvalidDocumentOperation(fmt.Sprintf("Version %d is the default version of document %s: make another version the default before deleting it.", ver.Version, d.Name))
		}
		d.Versions = slices.DeleteFunc(d.Versions, func(x *documentVersion) bool { return x == ver })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}

func (a *Area) describeDocument(in *describeDocumentInput) (*describeDocumentOutput, error) {
	var v protocol.Validator
	validateDocumentRef(&v, in.Name, in.DocumentVersion, in.VersionName, DocumentARNPattern)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out describeDocumentOutput
	var err error
	a.view(func(st *state) {
		d := st.findDocument(*in.Name)
		if d == nil {
			err = ErrInvalidDocument(fmt.Sprintf("Document with name %s does not exist.", *in.Name))
			return
		}
		var ver *documentVersion
		if ver, err = resolveVersion(d, protocol.Deref(in.DocumentVersion), protocol.Deref(in.VersionName)); err != nil {
			return
		}
		out.Document = a.describe(d, ver, "Active")
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// convertContent renders content in another format (GetDocument's
// DocumentFormat).
func convertContent(content, from, to string) (string, error) {
	if from == to {
		return content, nil
	}
	raw, err := decodeDocument(content, from)
	if err != nil {
		return "", err
	}
	if to == "YAML" {
		b, err := yaml.Marshal(raw)
		return string(b), err
	}
	b, err := json.MarshalIndent(raw, "", "  ")
	return string(b), err
}

func (a *Area) getDocument(in *getDocumentInput) (*getDocumentOutput, error) {
	var v protocol.Validator
	validateDocumentRef(&v, in.Name, in.DocumentVersion, in.VersionName, DocumentARNPattern)
	if in.DocumentFormat != nil {
		v.Enum("documentFormat", *in.DocumentFormat, documentFormats...)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *getDocumentOutput
	var err error
	a.view(func(st *state) {
		d := st.findDocument(*in.Name)
		if d == nil {
			err = ErrInvalidDocument(fmt.Sprintf("Document with name %s does not exist.", *in.Name))
			return
		}
		var ver *documentVersion
		if ver, err = resolveVersion(d, protocol.Deref(in.DocumentVersion), protocol.Deref(in.VersionName)); err != nil {
			return
		}
		format := "JSON"
		if in.DocumentFormat != nil {
			format = *in.DocumentFormat
		}
		if format == "TEXT" {
			err = errInvalidDocumentOperation("Command documents can't be returned as TEXT: use JSON or YAML.")
			return
		}
		content, cerr := convertContent(ver.Content, ver.Format, format)
		if cerr != nil {
			err = fmt.Errorf("converting document %s: %w", d.Name, cerr)
			return
		}
		out = &getDocumentOutput{
			Name: d.Name, CreatedDate: protocol.Epoch(ver.Created), DisplayName: ver.DisplayName, VersionName: ver.VersionName,
			DocumentVersion: strconv.Itoa(ver.Version), Status: "Active", Content: content,
			DocumentType: d.DocumentType, DocumentFormat: format,
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// documentOwnerValues are the values of ListDocuments' Owner filter (the
// Filters documentation: "Owner"; ListDocuments in the AWS CLI reference:
// Self, Amazon, Private, Public, ThirdParty, All).
var documentOwnerValues = []string{"Self", "Amazon", "Private", "Public", "ThirdParty", "All"}

// listDocuments validates the request, parses its filters, and answers
// one page of the documents, AWS-owned and the account's, that match them.
func (a *Area) listDocuments(in *listDocumentsInput) (*listDocumentsOutput, error) {
	if err := validateListDocuments(in); err != nil {
		return nil, err
	}
	filters, err := documentFilters(in)
	if err != nil {
		return nil, err
	}
	size := defaultListDocumentPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("ListDocuments", in.DocumentFilterList, in.Filters)
	var out listDocumentsOutput
	a.view(func(st *state) {
		matched := st.matchingDocuments(filters)
		var ok bool
		if out.DocumentIdentifiers, out.NextToken, ok = protocol.PageOf(matched, protocol.Deref(in.NextToken), fp, size, a.identifier); !ok {
			err = protocol.ErrInvalidNextToken()
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// validateListDocuments applies the model's rules to the request.
func validateListDocuments(in *listDocumentsInput) error {
	var v protocol.Validator
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if in.DocumentFilterList != nil {
		v.Count("documentFilterList", len(in.DocumentFilterList), 1, -1)
	}
	for i, f := range in.DocumentFilterList {
		p := fmt.Sprintf("documentFilterList.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, "Name", "Owner", "PlatformTypes", "DocumentType")
		}
		if v.Required(p+".value", f.Value != nil) {
			v.Length(p+".value", *f.Value, 1, -1)
		}
	}
	v.Count("filters", len(in.Filters), 0, 6)
	for i, f := range in.Filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if f.Key != nil {
			v.Length(p+".key", *f.Key, 1, 128)
		}
		for _, val := range f.Values {
			v.Length(p+".values.member", val, 1, 256)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return nil
}

// documentFilterSpec is one filter of either list, by key.
type documentFilterSpec struct {
	key    string
	values []string
}

// documentFilters merges DocumentFilterList and Filters into one list and
// checks the keys and the Owner values.
func documentFilters(in *listDocumentsInput) ([]documentFilterSpec, error) {
	var filters []documentFilterSpec
	for _, f := range in.DocumentFilterList {
		filters = append(filters, documentFilterSpec{*f.Key, []string{*f.Value}})
	}
	tagKeys := 0
	for _, f := range in.Filters {
		key := protocol.Deref(f.Key)
		switch {
		case key == "Owner":
			for _, val := range f.Values {
				if !slices.Contains(documentOwnerValues, val) {
					return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("%s is not a valid value for the Owner filter. Valid values: %s.", val, strings.Join(documentOwnerValues, ", ")))
				}
			}
		case key == "Name", key == "PlatformTypes", key == "DocumentType", key == "TargetType", key == "SearchKeyword":
		case strings.HasPrefix(key, "tag:") && len(key) > 4:
			tagKeys++
		default:
			return nil, protocol.ErrInvalidFilterKey(fmt.Sprintf("The filter key %q isn't valid. Valid keys: Owner, Name, PlatformTypes, DocumentType, TargetType, SearchKeyword, tag:{keyname}.", key))
		}
		filters = append(filters, documentFilterSpec{key, f.Values})
	}
	// The Filters documentation: "This API operation only supports
	// filtering documents by using a single tag key".
	if tagKeys > 1 {
		return nil, protocol.ErrInvalidFilterKey("ListDocuments filters on at most one tag key.")
	}
	return filters, nil
}

// matchingDocuments are the documents, AWS-owned and the account's, that
// every filter matches, sorted by name.
func (st *state) matchingDocuments(filters []documentFilterSpec) []*document {
	all := make([]*document, 0, len(awsDocuments)+len(st.Documents))
	for _, d := range awsDocuments {
		all = append(all, d)
	}
	all = append(all, st.Documents...)
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	var matched []*document
	for _, d := range all {
		ok := true
		for _, f := range filters {
			if !documentMatches(d, f) {
				ok = false
				break
			}
		}
		if ok {
			matched = append(matched, d)
		}
	}
	return matched
}

// documentMatches says whether a document matches one filter.
func documentMatches(d *document, f documentFilterSpec) bool {
	ver := d.version(d.DefaultVersion)
	switch f.key {
	case "Owner":
		for _, val := range f.values {
			switch val {
			case "All":
				return true
			case "Amazon", "Public":
				if d.Owner == "Amazon" {
					return true
				}
			case "Self", "Private":
				if d.Owner != "Amazon" {
					return true
				}
			}
		}
		return false
	case "Name":
		for _, val := range f.values {
			if strings.HasPrefix(d.Name, val) {
				return true
			}
		}
		return false
	case "SearchKeyword":
		for _, val := range f.values {
			if strings.Contains(strings.ToLower(d.Name), strings.ToLower(val)) {
				return true
			}
		}
		return false
	case "PlatformTypes":
		for _, val := range f.values {
			if slices.Contains(ver.parsed.PlatformTypes(), val) {
				return true
			}
		}
		return false
	case "DocumentType":
		return slices.Contains(f.values, d.DocumentType)
	case "TargetType":
		return slices.Contains(f.values, d.TargetType)
	}
	k := strings.TrimPrefix(f.key, "tag:")
	val, ok := d.Tags[k]
	return ok && (len(f.values) == 0 || slices.Contains(f.values, val))
}

// identifier is a document as ListDocuments lists it: its default version.
func (a *Area) identifier(d *document) documentIdentifier {
	ver := d.version(d.DefaultVersion)
	return documentIdentifier{
		Name: d.Name, CreatedDate: protocol.Epoch(ver.Created), DisplayName: ver.DisplayName,
		Owner: a.documentOwner(d), VersionName: ver.VersionName,
		PlatformTypes: ver.parsed.PlatformTypes(), DocumentVersion: strconv.Itoa(ver.Version),
		DocumentType: d.DocumentType, SchemaVersion: ver.parsed.SchemaVersion,
		DocumentFormat: ver.Format, TargetType: d.TargetType, Tags: tags.List(d.Tags),
	}
}

func (a *Area) listDocumentVersions(in *listDocumentVersionsInput) (*listDocumentVersionsOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Pattern("name", *in.Name, DocumentARNPattern)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if err := v.Err(); err != nil {
		return nil, err
	}
	size := defaultListDocumentPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("ListDocumentVersions", *in.Name)
	var out listDocumentVersionsOutput
	var err error
	a.view(func(st *state) {
		d := st.findDocument(*in.Name)
		if d == nil {
			err = ErrInvalidDocument(fmt.Sprintf("Document with name %s does not exist.", *in.Name))
			return
		}
		off, ok := protocol.DecodePageToken(protocol.Deref(in.NextToken), fp, len(d.Versions))
		if !ok {
			err = protocol.ErrInvalidNextToken()
			return
		}
		from, to, next := protocol.Page(len(d.Versions), off, size, fp)
		for _, ver := range d.Versions[from:to] {
			out.DocumentVersions = append(out.DocumentVersions, documentVersionInfo{
				Name: d.Name, DisplayName: ver.DisplayName, DocumentVersion: strconv.Itoa(ver.Version),
				VersionName: ver.VersionName, CreatedDate: protocol.Epoch(ver.Created),
				IsDefaultVersion: ver.Version == d.DefaultVersion, DocumentFormat: ver.Format, Status: "Active",
			})
		}
		out.NextToken = next
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) updateDocumentDefaultVersion(in *updateDocumentDefaultVersionInput) (*updateDocumentDefaultVersionOutput, error) {
	var v protocol.Validator
	if v.Required("name", in.Name != nil) {
		v.Pattern("name", *in.Name, documentNamePattern)
	}
	if v.Required("documentVersion", in.DocumentVersion != nil) {
		v.Pattern("documentVersion", *in.DocumentVersion, versionNumberPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out updateDocumentDefaultVersionOutput
	err := a.mutate(func(st *state) error {
		d, err := ownDocument(st, *in.Name)
		if err != nil {
			return err
		}
		ver, err := resolveVersion(d, *in.DocumentVersion, "")
		if err != nil {
			return err
		}
		d.DefaultVersion = ver.Version
		out.Description = documentDefaultVersionDescription{Name: d.Name, DefaultVersion: strconv.Itoa(ver.Version), DefaultVersionName: ver.VersionName}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
