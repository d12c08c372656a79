package sandbox

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"gopkg.in/yaml.v3"
)

const simpleDoc = `{
  "schemaVersion": "2.2",
  "description": "Say something.",
  "mainSteps": [{"action": "aws:runShellScript", "name": "say", "inputs": {"runCommand": ["echo kept"]}}]
}`

// greetDoc declares one parameter of each kind it validates.
const greetDoc = `schemaVersion: "2.2"
description: Greet someone.
parameters:
  name:
    type: String
    description: Who to greet.
    allowedPattern: "[a-z]+"
  greeting:
    type: String
    default: hello
    allowedValues: [hello, hi]
  times:
    type: Integer
    default: 1
  loud:
    type: Boolean
    default: false
  extra:
    type: StringList
    default: []
    maxItems: 2
mainSteps:
  - action: aws:runShellScript
    name: greet
    inputs:
      runCommand:
        - 'for i in $(seq {{ times }}); do echo "{{greeting}}, {{ name }} (loud={{ loud }})"; done'
        - "echo extra={{ extra }}" # JSON-encoded inside a string: ["a","b"], unquoted by the shell
`

func TestDocumentLifecycle(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	created, err := c.CreateDocument(ctx(), &ssm.CreateDocumentInput{
		Name: aws.String("Greet"), Content: aws.String(greetDoc), DocumentFormat: types.DocumentFormatYaml,
		DocumentType: types.DocumentTypeCommand, VersionName: aws.String("v1"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := created.DocumentDescription
	if d.Status != types.DocumentStatusCreating || aws.ToString(d.DocumentVersion) != "1" || aws.ToString(d.Owner) != s.AccountID() ||
		aws.ToString(d.SchemaVersion) != "2.2" || len(aws.ToString(d.Hash)) != 64 {
		t.Errorf("CreateDocument: %+v", d)
	}
	var names []string
	for _, p := range d.Parameters {
		names = append(names, aws.ToString(p.Name)+":"+string(p.Type)+"="+aws.ToString(p.DefaultValue))
	}
	if got := strings.Join(names, " "); got != "name:String= greeting:String=hello times:Integer=1 loud:Boolean=false extra:StringList=[]" {
		t.Errorf("parameters in document order: %s", got)
	}
	if strings.Join(platformStrings(d.PlatformTypes), ",") != "Linux,MacOS" {
		t.Errorf("PlatformTypes %v", d.PlatformTypes)
	}

	for _, bad := range []struct {
		name, content, code string
	}{
		{"Greet", greetDoc, "DocumentAlreadyExists"},
		{"AWS-Mine", simpleDoc, "ValidationException"},
		{"Bad", `{"schemaVersion": "2.2", "mainSteps": []}`, "InvalidDocumentContent"},
		{"Bad", `{"schemaVersion": "2.2", "mainSteps": [{"action": "aws:runShellScript", "name": "x", "inputs": {"runCommand": ["{{ nope }}"]}}]}`, "InvalidDocumentContent"},
		{"Bad", `{"schemaVersion": "2.2", "mainSteps": [{"action": "aws:fly", "name": "x", "inputs": {}}]}`, "InvalidDocumentContent"},
		{"Bad", `{"schemaVersion": "3.9", "mainSteps": []}`, "InvalidDocumentSchemaVersion"},
		{"Bad", `not json`, "InvalidDocumentContent"},
		{"x", simpleDoc, "ValidationException"},
	} {
		format := types.DocumentFormatJson
		if bad.content == greetDoc {
			format = types.DocumentFormatYaml
		}
		_, err := c.CreateDocument(ctx(), &ssm.CreateDocumentInput{Name: aws.String(bad.name), Content: aws.String(bad.content), DocumentFormat: format})
		if errorCode(err) != bad.code {
			t.Errorf("CreateDocument %s %.40q: %v, want %s", bad.name, bad.content, err, bad.code)
		}
	}

	// Run it: parameters are validated and substituted.
	id := send(t, c, &ssm.SendCommandInput{DocumentName: aws.String("Greet"), InstanceIds: []string{linux1},
		Parameters: map[string][]string{"name": {"ann"}, "times": {"2"}, "extra": {"a", "b"}}})
	waitCommand(t, c, id)
	got := getInvocation(t, c, id, linux1)
	if want := "hello, ann (loud=false)\nhello, ann (loud=false)\nextra=[a,b]\n"; aws.ToString(got.StandardOutputContent) != want || aws.ToString(got.PluginName) != "greet" {
		t.Errorf("Greet: %q (plugin %s), want %q", aws.ToString(got.StandardOutputContent), aws.ToString(got.PluginName), want)
	}
	for _, bad := range []map[string][]string{
		{},                                    // name is required
		{"name": {"Ann"}},                     // allowedPattern
		{"name": {"ann"}, "greeting": {"yo"}}, // allowedValues
		{"name": {"ann"}, "times": {"two"}},   // Integer
		{"name": {"ann"}, "loud": {"yes"}},    // Boolean
		{"name": {"ann"}, "extra": {"a", "b", "c"}}, // maxItems
		{"name": {"ann", "bob"}},                    // String takes one value
		{"name": {"ann"}, "color": {"red"}},         // undeclared
	} {
		_, err := c.SendCommand(ctx(), &ssm.SendCommandInput{DocumentName: aws.String("Greet"), InstanceIds: []string{linux1}, Parameters: bad})
		if errorCode(err) != "InvalidParameters" {
			t.Errorf("parameters %v: %v, want InvalidParameters", bad, err)
		}
	}

	// GetDocument in both formats.
	g, err := c.GetDocument(ctx(), &ssm.GetDocumentInput{Name: aws.String("Greet")})
	if err != nil || g.DocumentFormat != types.DocumentFormatJson {
		t.Fatalf("GetDocument: %v", err)
	}
	var asJSON map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(g.Content)), &asJSON); err != nil || asJSON["schemaVersion"] != "2.2" {
		t.Errorf("GetDocument JSON: %v %v", err, asJSON["schemaVersion"])
	}
	g, err = c.GetDocument(ctx(), &ssm.GetDocumentInput{Name: aws.String("Greet"), DocumentFormat: types.DocumentFormatYaml})
	if err != nil || aws.ToString(g.Content) != greetDoc {
		t.Errorf("GetDocument YAML gives the content as stored: %v", err)
	}
	g, err = c.GetDocument(ctx(), &ssm.GetDocumentInput{Name: aws.String("AWS-RunShellScript"), DocumentFormat: types.DocumentFormatYaml})
	var asYAML map[string]any
	if err != nil || yaml.Unmarshal([]byte(aws.ToString(g.Content)), &asYAML) != nil || asYAML["schemaVersion"] != "1.2" {
		t.Errorf("AWS-RunShellScript as YAML: %v", err)
	}

	// UpdateDocument makes version 2; the default stays 1.
	_, err = c.UpdateDocument(ctx(), &ssm.UpdateDocumentInput{Name: aws.String("Greet"), Content: aws.String(greetDoc), DocumentFormat: types.DocumentFormatYaml})
	if errorCode(err) != "DuplicateDocumentContent" {
		t.Errorf("update with the same content: %v", err)
	}
	upd, err := c.UpdateDocument(ctx(), &ssm.UpdateDocumentInput{Name: aws.String("Greet"), Content: aws.String(simpleDoc), DocumentVersion: aws.String("$LATEST")})
	if err != nil || aws.ToString(upd.DocumentDescription.DocumentVersion) != "2" || aws.ToString(upd.DocumentDescription.DefaultVersion) != "1" {
		t.Fatalf("UpdateDocument: %v", err)
	}
	_, err = c.UpdateDocument(ctx(), &ssm.UpdateDocumentInput{Name: aws.String("Greet"), Content: aws.String(simpleDoc + " "), DocumentVersion: aws.String("1")})
	if errorCode(err) != "InvalidDocumentVersion" {
		t.Errorf("update of an old version: %v", err)
	}
	desc, err := c.DescribeDocument(ctx(), &ssm.DescribeDocumentInput{Name: aws.String("Greet"), DocumentVersion: aws.String("$LATEST")})
	if err != nil || aws.ToString(desc.Document.DocumentVersion) != "2" || desc.Document.Status != types.DocumentStatusActive || aws.ToString(desc.Document.LatestVersion) != "2" {
		t.Errorf("DescribeDocument $LATEST: %v", err)
	}
	desc, err = c.DescribeDocument(ctx(), &ssm.DescribeDocumentInput{Name: aws.String("Greet"), VersionName: aws.String("v1")})
	if err != nil || aws.ToString(desc.Document.DocumentVersion) != "1" {
		t.Errorf("DescribeDocument by version name: %v", err)
	}
	// Sending $LATEST runs version 2.
	id = send(t, c, &ssm.SendCommandInput{DocumentName: aws.String("Greet"), DocumentVersion: aws.String("$LATEST"), InstanceIds: []string{linux1}})
	waitCommand(t, c, id)
	if got := getInvocation(t, c, id, linux1); aws.ToString(got.StandardOutputContent) != "kept\n" || aws.ToString(got.DocumentVersion) != "$LATEST" {
		t.Errorf("$LATEST: %q %s", aws.ToString(got.StandardOutputContent), aws.ToString(got.DocumentVersion))
	}
	if _, err := c.UpdateDocumentDefaultVersion(ctx(), &ssm.UpdateDocumentDefaultVersionInput{Name: aws.String("Greet"), DocumentVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	vers, err := c.ListDocumentVersions(ctx(), &ssm.ListDocumentVersionsInput{Name: aws.String("Greet")})
	if err != nil || len(vers.DocumentVersions) != 2 || !vers.DocumentVersions[1].IsDefaultVersion {
		t.Errorf("ListDocumentVersions: %v", err)
	}
	if _, err := c.DeleteDocument(ctx(), &ssm.DeleteDocumentInput{Name: aws.String("Greet"), DocumentVersion: aws.String("2")}); errorCode(err) != "InvalidDocumentOperation" {
		t.Errorf("deleting the default version: %v", err)
	}
	if _, err := c.DeleteDocument(ctx(), &ssm.DeleteDocumentInput{Name: aws.String("Greet"), DocumentVersion: aws.String("1")}); err != nil {
		t.Errorf("deleting version 1: %v", err)
	}

	// ListDocuments filters.
	list := func(in *ssm.ListDocumentsInput) []string {
		t.Helper()
		var names []string
		p := ssm.NewListDocumentsPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx())
			if err != nil {
				t.Fatalf("ListDocuments: %v", err)
			}
			for _, d := range page.DocumentIdentifiers {
				names = append(names, aws.ToString(d.Name))
			}
		}
		return names
	}
	kv := func(k string, v ...string) types.DocumentKeyValuesFilter {
		return types.DocumentKeyValuesFilter{Key: aws.String(k), Values: v}
	}
	if got := list(&ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{kv("Owner", "Self")}}); strings.Join(got, ",") != "Greet" {
		t.Errorf("Owner Self: %v", got)
	}
	if got := list(&ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{kv("Owner", "Amazon"), kv("PlatformTypes", "Windows"), kv("DocumentType", "Command")}}); strings.Join(got, ",") != "AWS-RunPatchBaseline,AWS-RunPowerShellScript" {
		t.Errorf("Amazon Windows: %v", got)
	}
	if got := list(&ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{kv("tag:team", "ops")}}); strings.Join(got, ",") != "Greet" {
		t.Errorf("tag: %v", got)
	}
	if got := list(&ssm.ListDocumentsInput{DocumentFilterList: []types.DocumentFilter{{Key: types.DocumentFilterKeyName, Value: aws.String("AWS-RunShell")}}}); strings.Join(got, ",") != "AWS-RunShellScript" {
		t.Errorf("legacy Name filter: %v", got)
	}
	// The AWS-owned documents (Command, Session, Automation...) and Greet.
	if got := list(&ssm.ListDocumentsInput{MaxResults: aws.Int32(1)}); len(got) != len(documents.AWSOwned())+1 {
		t.Errorf("all documents one per page: %v", got)
	}
	if _, err := c.ListDocuments(ctx(), &ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{kv("Owner", "Nobody")}}); errorCode(err) != "InvalidFilterKey" {
		t.Errorf("bad owner: %v", err)
	}

	if _, err := c.DeleteDocument(ctx(), &ssm.DeleteDocumentInput{Name: aws.String("AWS-RunShellScript")}); errorCode(err) != "InvalidDocumentOperation" {
		t.Errorf("deleting an AWS document: %v", err)
	}
	if _, err := c.DeleteDocument(ctx(), &ssm.DeleteDocumentInput{Name: aws.String("Greet")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeDocument(ctx(), &ssm.DescribeDocumentInput{Name: aws.String("Greet")}); errorCode(err) != "InvalidDocument" {
		t.Errorf("after delete: %v", err)
	}
}

func platformStrings(p []types.PlatformType) []string {
	out := make([]string, len(p))
	for i, x := range p {
		out[i] = string(x)
	}
	return out
}

func TestAWSOwnedDocuments(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssmClient(s)
	for name, want := range map[string]string{"AWS-RunShellScript": "Linux,MacOS", "AWS-RunPowerShellScript": "Windows,Linux"} {
		d, err := c.DescribeDocument(ctx(), &ssm.DescribeDocumentInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		doc := d.Document
		if strings.Join(platformStrings(doc.PlatformTypes), ",") != want || aws.ToString(doc.Owner) != "Amazon" || aws.ToString(doc.SchemaVersion) != "1.2" || doc.DocumentType != types.DocumentTypeCommand {
			t.Errorf("%s: %+v", name, doc)
		}
		var params []string
		for _, p := range doc.Parameters {
			params = append(params, aws.ToString(p.Name)+"="+aws.ToString(p.DefaultValue))
		}
		if strings.Join(params, " ") != "commands= workingDirectory= executionTimeout=3600" {
			t.Errorf("%s parameters: %v", name, params)
		}
	}
	if _, err := c.DescribeDocument(ctx(), &ssm.DescribeDocumentInput{Name: aws.String("arn:aws:ssm:us-east-1::document/AWS-RunShellScript")}); err != nil {
		t.Errorf("by ARN: %v", err)
	}
}

func TestCompositeDocument(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	child := `{"schemaVersion": "2.2", "parameters": {"msg": {"type": "String"}, "code": {"type": "String", "default": "0"}},
	  "mainSteps": [{"action": "aws:runShellScript", "name": "say", "inputs": {"runCommand": ["echo child says {{ msg }}", "exit {{ code }}"]}}]}`
	parent := `{"schemaVersion": "2.2", "parameters": {"code": {"type": "String", "default": "0"}}, "mainSteps": [
	  {"action": "aws:runShellScript", "name": "first", "inputs": {"runCommand": ["echo parent first"]}},
	  {"action": "aws:runDocument", "name": "nested", "inputs": {"documentType": "SSMDocument", "documentPath": "Child",
	    "documentParameters": "{\"msg\": \"hi\", \"code\": \"{{ code }}\"}"}},
	  {"action": "aws:runPowerShellScript", "name": "windowsOnly", "inputs": {"runCommand": ["Write-Output x"]},
	    "precondition": {"StringEquals": ["platformType", "Windows"]}}]}`
	for name, content := range map[string]string{"Child": child, "Parent": parent} {
		if _, err := c.CreateDocument(ctx(), &ssm.CreateDocumentInput{Name: aws.String(name), Content: aws.String(content), DocumentType: types.DocumentTypeCommand}); err != nil {
			t.Fatalf("CreateDocument %s: %v", name, err)
		}
	}
	id := send(t, c, &ssm.SendCommandInput{DocumentName: aws.String("Parent"), InstanceIds: []string{linux1}})
	if cmd := waitCommand(t, c, id); cmd.Status != types.CommandStatusSuccess {
		t.Errorf("composite: %s", cmd.Status)
	}
	inv := invocations(t, c, id)[linux1]
	got := map[string]string{}
	for _, p := range inv.CommandPlugins {
		got[aws.ToString(p.Name)] = string(p.Status) + "/" + aws.ToString(p.StatusDetails)
	}
	if got["first"] != "Success/Success" || got["nested"] != "Success/Success" || got["windowsOnly"] != "Success/Skipped" {
		t.Errorf("plugins %v", got)
	}
	nested, err := c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(linux1), PluginName: aws.String("nested")})
	if err != nil || aws.ToString(nested.StandardOutputContent) != "child says hi\n" {
		t.Errorf("nested output %q: %v", aws.ToString(nested.StandardOutputContent), err)
	}
	if _, err := c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(linux1)}); errorCode(err) != "InvalidPluginName" {
		t.Errorf("several steps without PluginName: %v", err)
	}

	// A failing child fails the step and the invocation.
	id = send(t, c, &ssm.SendCommandInput{DocumentName: aws.String("Parent"), InstanceIds: []string{linux1}, Parameters: map[string][]string{"code": {"5"}}})
	waitCommand(t, c, id)
	nested, err = c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(linux1), PluginName: aws.String("nested")})
	if err != nil || nested.Status != types.CommandInvocationStatusFailed || nested.ResponseCode != 5 {
		t.Errorf("failing child: %v %s %d", err, nested.Status, nested.ResponseCode)
	}

	// A composite document that runs itself stops at depth 3.
	loop := `{"schemaVersion": "2.2", "mainSteps": [{"action": "aws:runDocument", "name": "again", "inputs": {"documentType": "SSMDocument", "documentPath": "Loop"}}]}`
	if _, err := c.CreateDocument(ctx(), &ssm.CreateDocumentInput{Name: aws.String("Loop"), Content: aws.String(loop)}); err != nil {
		t.Fatal(err)
	}
	id = send(t, c, &ssm.SendCommandInput{DocumentName: aws.String("Loop"), InstanceIds: []string{linux1}})
	waitCommand(t, c, id)
	if got := getInvocation(t, c, id, linux1); got.Status != types.CommandInvocationStatusFailed || !strings.Contains(aws.ToString(got.StandardErrorContent), "Maximum depth for document execution exceeded") {
		t.Errorf("recursive document: %s %q", got.Status, aws.ToString(got.StandardErrorContent))
	}

	// A 2.2 document with both shells: on Windows the shell step is skipped.
	both := `{"schemaVersion": "2.2", "mainSteps": [
	  {"action": "aws:runShellScript", "name": "shell", "inputs": {"runCommand": ["echo sh"]}},
	  {"action": "aws:runPowerShellScript", "name": "power", "inputs": {"runCommand": ["echo ps"]}}]}`
	if _, err := c.CreateDocument(ctx(), &ssm.CreateDocumentInput{Name: aws.String("Both"), Content: aws.String(both)}); err != nil {
		t.Fatal(err)
	}
	id = send(t, c, &ssm.SendCommandInput{DocumentName: aws.String("Both"), InstanceIds: []string{win1}})
	waitCommand(t, c, id)
	shStep, err1 := c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(win1), PluginName: aws.String("shell")})
	psStep, err2 := c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(win1), PluginName: aws.String("power")})
	if shStep == nil || psStep == nil || aws.ToString(shStep.StatusDetails) != "Skipped" ||
		!strings.Contains(aws.ToString(shStep.StandardOutputContent), "Step execution skipped due to unsupported plugin: aws:runShellScript") ||
		aws.ToString(psStep.StandardOutputContent) != "ps\n" {
		t.Errorf("Windows with both shells: %v %v %+v %+v", err1, err2, shStep, psStep)
	}
}
