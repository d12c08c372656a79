package runcmd

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"gopkg.in/yaml.v3"
)

// Document is an SSM document as ListDocuments reports it.
type Document struct {
	Name            string
	Owner           string
	Type            string
	Version         string
	VersionName     string
	SchemaVersion   string
	Format          string
	TargetType      string
	PlatformTypes   []string
	CreatedDate     time.Time
	DisplayName     string
	Author          string
	Requires        []string
	DefaultVersion  string // DocumentDetail only
	LatestVersion   string // DocumentDetail only
	Description     string // DocumentDetail only
	Status          string // DocumentDetail only
	DocumentVersion string // DocumentDetail only: the version shown
}

// DocumentFilter selects documents for Documents. Empty fields match all.
type DocumentFilter struct {
	// Owner is Self, Amazon, Private, Public, ThirdParty or All.
	Owner string
	// Type is Command, Session, Automation, Package, ...
	Type string
	// Platform is Linux, Windows or MacOS.
	Platform string
}

// Documents lists documents.
func (c *Client) Documents(ctx context.Context, f DocumentFilter) ([]Document, error) {
	var filters []types.DocumentKeyValuesFilter
	add := func(k, v string) {
		if v != "" {
			filters = append(filters, types.DocumentKeyValuesFilter{Key: aws.String(k), Values: []string{v}})
		}
	}
	if f.Owner != "All" {
		add("Owner", f.Owner)
	}
	add("DocumentType", f.Type)
	add("PlatformTypes", f.Platform)
	p := ssm.NewListDocumentsPaginator(c.API, &ssm.ListDocumentsInput{Filters: filters, MaxResults: aws.Int32(50)},
		func(o *ssm.ListDocumentsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []Document
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range page.DocumentIdentifiers {
			doc := Document{
				Name:          aws.ToString(d.Name),
				Owner:         aws.ToString(d.Owner),
				Type:          string(d.DocumentType),
				Version:       aws.ToString(d.DocumentVersion),
				VersionName:   aws.ToString(d.VersionName),
				SchemaVersion: aws.ToString(d.SchemaVersion),
				Format:        string(d.DocumentFormat),
				TargetType:    aws.ToString(d.TargetType),
				CreatedDate:   aws.ToTime(d.CreatedDate),
				DisplayName:   aws.ToString(d.DisplayName),
				Author:        aws.ToString(d.Author),
			}
			for _, pt := range d.PlatformTypes {
				doc.PlatformTypes = append(doc.PlatformTypes, string(pt))
			}
			for _, r := range d.Requires {
				doc.Requires = append(doc.Requires, aws.ToString(r.Name))
			}
			out = append(out, doc)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DocumentDetail is one document version: what DescribeDocument says and
// what its content declares.
type DocumentDetail struct {
	Document
	Parameters []DocumentParameter
	Steps      []Step
	// Content is the document as stored (JSON or YAML, per Format).
	Content string
}

// DocumentParameter is a parameter a document declares.
type DocumentParameter struct {
	Name           string
	Type           string
	Description    string
	Default        *string
	AllowedValues  []string
	AllowedPattern string
}

// Step is one step (plugin) of a document's mainSteps (schema 2.x) or
// runtimeConfig (schema 1.2).
type Step struct {
	Action string
	Name   string
	// Document is the document a composite step (aws:runDocument) runs.
	Document string
	// Platforms are the step's precondition platforms, if any.
	Platforms []string
	// Automation runbooks (schema 0.3): the step's flow properties and
	// its inputs (JSON).
	OnFailure      string
	NextStep       string
	IsEnd          bool
	MaxAttempts    int
	TimeoutSeconds int
	Inputs         map[string]string
}

// DescribeDocument reads a document (NAME, or NAME:VERSION unless version is
// given) with DescribeDocument and GetDocument. An unknown document is an
// AWS error (254) with a one-line message.
func (c *Client) DescribeDocument(ctx context.Context, doc, version string) (*DocumentDetail, error) {
	name, v, err := splitDocument(doc)
	if err != nil {
		return nil, err
	}
	if version == "" {
		version = v
	}
	desc, err := c.API.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String(name), DocumentVersion: optional(version)})
	if err != nil {
		return nil, documentError(name, version, err)
	}
	d := desc.Document
	if d == nil {
		return nil, fmt.Errorf("DescribeDocument %s: empty answer", name)
	}
	out := &DocumentDetail{Document: Document{
		Name:            aws.ToString(d.Name),
		Owner:           aws.ToString(d.Owner),
		Type:            string(d.DocumentType),
		Version:         aws.ToString(d.DocumentVersion),
		DocumentVersion: aws.ToString(d.DocumentVersion),
		VersionName:     aws.ToString(d.VersionName),
		SchemaVersion:   aws.ToString(d.SchemaVersion),
		Format:          string(d.DocumentFormat),
		TargetType:      aws.ToString(d.TargetType),
		CreatedDate:     aws.ToTime(d.CreatedDate),
		DisplayName:     aws.ToString(d.DisplayName),
		Author:          aws.ToString(d.Author),
		DefaultVersion:  aws.ToString(d.DefaultVersion),
		LatestVersion:   aws.ToString(d.LatestVersion),
		Description:     aws.ToString(d.Description),
		Status:          string(d.Status),
	}}
	for _, pt := range d.PlatformTypes {
		out.PlatformTypes = append(out.PlatformTypes, string(pt))
	}
	for _, p := range d.Parameters {
		out.Parameters = append(out.Parameters, DocumentParameter{
			Name:        aws.ToString(p.Name),
			Type:        string(p.Type),
			Description: aws.ToString(p.Description),
			Default:     p.DefaultValue,
		})
	}
	// In the format it was created in: GetDocument answers JSON by default.
	got, err := c.API.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(name), DocumentVersion: optional(out.Version), DocumentFormat: d.DocumentFormat})
	if err != nil {
		return nil, documentError(name, version, err)
	}
	out.Content = aws.ToString(got.Content)
	content := parseContent(out.Content)
	out.Steps = content.steps()
	for i := range out.Parameters {
		if cp, ok := content.Parameters[out.Parameters[i].Name]; ok {
			out.Parameters[i].AllowedValues = cp.AllowedValues.strings()
			out.Parameters[i].AllowedPattern = cp.AllowedPattern
		}
	}
	if len(out.Parameters) == 0 {
		// Some answers leave Parameters out; the content has them.
		names := make([]string, 0, len(content.Parameters))
		for n := range content.Parameters {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			cp := content.Parameters[n]
			out.Parameters = append(out.Parameters, DocumentParameter{
				Name: n, Type: cp.Type, Description: cp.Description, Default: cp.defaultString(),
				AllowedValues: cp.AllowedValues.strings(), AllowedPattern: cp.AllowedPattern,
			})
		}
	}
	return out, nil
}

// documentContent is the part of a Command document's content that doc
// show needs. JSON is YAML, so one decoder reads both formats.
type documentContent struct {
	SchemaVersion string                      `yaml:"schemaVersion"`
	Parameters    map[string]contentParameter `yaml:"parameters"`
	MainSteps     []contentStep               `yaml:"mainSteps"`
	RuntimeConfig map[string]any              `yaml:"runtimeConfig"`
}

type contentParameter struct {
	Type           string    `yaml:"type"`
	Description    string    `yaml:"description"`
	Default        any       `yaml:"default"`
	AllowedValues  anyValues `yaml:"allowedValues"`
	AllowedPattern string    `yaml:"allowedPattern"`
}

func (p contentParameter) defaultString() *string {
	if p.Default == nil {
		return nil
	}
	var s string
	switch v := p.Default.(type) {
	case string:
		s = v
	default:
		b, _ := json.Marshal(v)
		s = string(b)
	}
	return &s
}

type anyValues []any

func (v anyValues) strings() []string {
	out := make([]string, 0, len(v))
	for _, x := range v {
		out = append(out, fmt.Sprint(x))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

type contentStep struct {
	Action       string         `yaml:"action"`
	Name         string         `yaml:"name"`
	Inputs       map[string]any `yaml:"inputs"`
	Precondition map[string]any `yaml:"precondition"`
	// Runbook step properties (schema 0.3).
	OnFailure      string `yaml:"onFailure"`
	NextStep       string `yaml:"nextStep"`
	IsEnd          bool   `yaml:"isEnd"`
	MaxAttempts    int    `yaml:"maxAttempts"`
	TimeoutSeconds int    `yaml:"timeoutSeconds"`
}

func parseContent(s string) documentContent {
	var c documentContent
	if err := yaml.Unmarshal([]byte(s), &c); err != nil {
		return documentContent{}
	}
	return c
}

func (c documentContent) steps() []Step {
	var out []Step
	for _, s := range c.MainSteps {
		st := Step{Action: s.Action, Name: s.Name}
		if strings.EqualFold(s.Action, "aws:runDocument") {
			if p, ok := s.Inputs["documentPath"].(string); ok {
				st.Document = p
			}
		}
		if eq, ok := s.Precondition["StringEquals"].([]any); ok && len(eq) == 2 {
			st.Platforms = []string{fmt.Sprint(eq[1])}
		}
		if c.SchemaVersion == "0.3" {
			st.OnFailure, st.NextStep, st.IsEnd, st.MaxAttempts, st.TimeoutSeconds = s.OnFailure, s.NextStep, s.IsEnd, s.MaxAttempts, s.TimeoutSeconds
			st.Inputs = map[string]string{}
			for k, v := range s.Inputs {
				b, _ := json.Marshal(v)
				st.Inputs[k] = string(b)
			}
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		// Schema 1.2: runtimeConfig maps plugin names to their settings.
		names := make([]string, 0, len(c.RuntimeConfig))
		for n := range c.RuntimeConfig {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			out = append(out, Step{Action: n, Name: n})
		}
	}
	return out
}
