package runcmd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

func idSpecs(nodes []target.Node) []target.Spec {
	raws := make([]string, len(nodes))
	for i, n := range nodes {
		raws[i] = n.ID
	}
	return mustSpecs(raws...)
}

// 120 explicit IDs go out as three SendCommand calls of 50, 50 and 20.
func TestStartBatchesInstanceIDs(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	nodes := linuxNodes(120)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: newFakeClock()}
	run, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"uptime"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.sends) != 3 {
		t.Fatalf("%d SendCommand calls, want 3", len(api.sends))
	}
	seen := map[string]bool{}
	for i, want := range []int{50, 50, 20} {
		in := api.sends[i]
		if len(in.InstanceIds) != want || in.Targets != nil {
			t.Errorf("call %d: %d InstanceIds, Targets %v; want %d IDs and no Targets", i, len(in.InstanceIds), in.Targets, want)
		}
		for _, id := range in.InstanceIds {
			if seen[id] {
				t.Errorf("%s sent twice", id)
			}
			seen[id] = true
		}
		if aws.ToString(in.DocumentName) != ShellDocument || strings.Join(in.Parameters["commands"], "|") != "uptime" {
			t.Errorf("call %d: document %s parameters %v", i, aws.ToString(in.DocumentName), in.Parameters)
		}
		if aws.ToString(in.MaxConcurrency) != "50" || aws.ToString(in.MaxErrors) != "0" {
			t.Errorf("call %d: MaxConcurrency %s MaxErrors %s, want defaults 50 and 0", i, aws.ToString(in.MaxConcurrency), aws.ToString(in.MaxErrors))
		}
	}
	if len(seen) != 120 || len(run.CommandIDs) != 3 || run.ByTargets {
		t.Errorf("sent %d nodes, %d command IDs, ByTargets %v", len(seen), len(run.CommandIDs), run.ByTargets)
	}
}

// A batch that cannot be sent takes back the batches already sent.
func TestStartCancelsSentBatchesOnFailure(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.sendErr = func(n int) error {
		if n == 1 {
			return errors.New("boom")
		}
		return nil
	}
	nodes := linuxNodes(60)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: newFakeClock()}
	_, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"true"}})
	if err == nil || !strings.Contains(err.Error(), "batch 2 of 2") {
		t.Fatalf("err = %v", err)
	}
	if len(api.cancels) != 1 || aws.ToString(api.cancels[0].CommandId) != "00000000-0000-0000-0000-000000000001" {
		t.Errorf("cancels = %v", api.cancels)
	}
}

func TestStartTargets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		specs   []string
		targets []string // Key=v1,v2; nil: sent as InstanceIds
	}{
		{"tags and group", []string{"tag:Env=prod,dev", "group:web-servers"}, []string{"tag:Env=prod,dev", "resource-groups:Name=web-servers"}},
		{"one tag", []string{"tag:Role=db"}, []string{"tag:Role=db"}},
		{"five tags", []string{"tag:A=1", "tag:B=2", "tag:C=3", "tag:D=4", "tag:E=5"}, []string{"tag:A=1", "tag:B=2", "tag:C=3", "tag:D=4", "tag:E=5"}},
		{"six tags resolve here", []string{"tag:A=1", "tag:B=2", "tag:C=3", "tag:D=4", "tag:E=5", "tag:F=6"}, nil},
		{"empty tag value resolves here", []string{"tag:Env="}, nil},
		{"mixed IDs and tags resolve here", []string{"i-00000000000000001", "tag:Env=prod"}, nil},
		{"names resolve here", []string{"web-*"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI()
			fn := &fakeNodes{nodes: linuxNodes(3)}
			c := &Client{API: api, Nodes: fn, Clock: newFakeClock()}
			run, err := c.Start(context.Background(), Request{Specs: mustSpecs(tt.specs...), Commands: []string{"true"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(api.sends) != 1 {
				t.Fatalf("%d sends", len(api.sends))
			}
			in := api.sends[0]
			var got []string
			for _, tg := range in.Targets {
				got = append(got, aws.ToString(tg.Key)+"="+strings.Join(tg.Values, ","))
			}
			if strings.Join(got, " ") != strings.Join(tt.targets, " ") {
				t.Errorf("Targets = %q, want %q", got, tt.targets)
			}
			if tt.targets == nil && len(in.InstanceIds) != 3 {
				t.Errorf("InstanceIds = %v, want the 3 resolved nodes", in.InstanceIds)
			}
			if tt.targets != nil && (in.InstanceIds != nil || !run.ByTargets) {
				t.Errorf("InstanceIds = %v with Targets", in.InstanceIds)
			}
			// The targets are resolved client-side in every case (platforms, count).
			if len(fn.queries) != 1 {
				t.Errorf("%d resolver queries", len(fn.queries))
			}
		})
	}
}

func TestStartPlatforms(t *testing.T) {
	t.Parallel()
	win := target.Node{ID: "i-0000000000000000a", Name: "win-1", PlatformType: "Windows"}
	lin := target.Node{ID: "i-0000000000000000b", Name: "web-1", PlatformType: "Linux"}
	mac := target.Node{ID: "i-0000000000000000c", Name: "mac-1", PlatformType: "MacOS"}
	tests := []struct {
		nodes   []target.Node
		doc     string
		want    string
		wantErr string
	}{
		{[]target.Node{win}, "", PowerShellDocument, ""},
		{[]target.Node{lin, mac}, "", ShellDocument, ""},
		{[]target.Node{win, lin, mac}, "", "", "mix Windows nodes (win-1) and Linux/macOS nodes (web-1, mac-1)"},
		{[]target.Node{win, lin}, "Custom", "Custom", ""},
	}
	for _, tt := range tests {
		api := newFakeAPI()
		api.docs["Custom"] = &types.DocumentDescription{Name: aws.String("Custom"), DocumentType: types.DocumentTypeCommand,
			Parameters: []types.DocumentParameter{{Name: aws.String("commands"), Type: types.DocumentParameterTypeStringList}}}
		c := &Client{API: api, Nodes: &fakeNodes{nodes: tt.nodes}, Clock: newFakeClock()}
		_, err := c.Start(context.Background(), Request{Specs: mustSpecs("x"), Document: tt.doc, Commands: []string{"true"}})
		if tt.wantErr != "" {
			if exitcode.Code(err) != exitcode.Usage || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v (code %d), want usage error with %q", err, exitcode.Code(err), tt.wantErr)
			}
			if len(api.sends) != 0 {
				t.Errorf("sent despite the error")
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(api.sends[0].DocumentName); got != tt.want {
			t.Errorf("document %s, want %s", got, tt.want)
		}
	}
}

func TestStartDocumentParameters(t *testing.T) {
	t.Parallel()
	doc := &types.DocumentDescription{Name: aws.String("Deploy"), DocumentType: types.DocumentTypeCommand, Parameters: []types.DocumentParameter{
		{Name: aws.String("version"), Type: types.DocumentParameterTypeString},
		{Name: aws.String("hosts"), Type: types.DocumentParameterTypeStringList},
	}}
	session := &types.DocumentDescription{Name: aws.String("Shell"), DocumentType: types.DocumentTypeSession}
	tests := []struct {
		name     string
		req      Request
		wantCode int
		wantErr  string
		params   map[string][]string
		version  string
	}{
		{"ok", Request{Document: "Deploy:3", Parameters: map[string][]string{"version": {"1.2"}, "hosts": {"a", "b"}}}, 0, "", map[string][]string{"version": {"1.2"}, "hosts": {"a", "b"}}, "3"},
		{"undeclared", Request{Document: "Deploy", Parameters: map[string][]string{"verison": {"1"}}}, exitcode.Usage, `no parameter "verison" (it takes hosts, version)`, nil, ""},
		{"string twice", Request{Document: "Deploy", Parameters: map[string][]string{"version": {"1", "2"}}}, exitcode.Usage, "is a String", nil, ""},
		{"command to a doc without commands", Request{Document: "Deploy", Commands: []string{"ls"}}, exitcode.Usage, "no commands parameter", nil, ""},
		{"timeout without executionTimeout", Request{Document: "Deploy", ExecutionTimeout: time.Minute}, exitcode.Usage, "no executionTimeout parameter", nil, ""},
		{"unknown document", Request{Document: "Nope"}, exitcode.AWS, "document Nope not found", nil, ""},
		{"session document", Request{Document: "Shell"}, exitcode.Usage, "is a Session document", nil, ""},
		{"shell params known without asking", Request{Commands: []string{"ls"}, Parameters: map[string][]string{"workingDirectory": {"/tmp"}}, ExecutionTimeout: 90 * time.Second}, 0, "",
			map[string][]string{"commands": {"ls"}, "workingDirectory": {"/tmp"}, "executionTimeout": {"90"}}, ""},
		{"shell param typo", Request{Commands: []string{"ls"}, Parameters: map[string][]string{"workdir": {"/tmp"}}}, exitcode.Usage, `AWS-RunShellScript has no parameter "workdir"`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI()
			api.docs["Deploy"], api.docs["Shell"] = doc, session
			c := &Client{API: api, Nodes: &fakeNodes{nodes: linuxNodes(1)}, Clock: newFakeClock()}
			tt.req.Specs = mustSpecs("web-001")
			_, err := c.Start(context.Background(), tt.req)
			if got := exitcode.Code(err); got != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", got, err, tt.wantCode)
			}
			if err != nil {
				if !strings.Contains(exitcode.Message(err), tt.wantErr) {
					t.Errorf("message %q, want %q", exitcode.Message(err), tt.wantErr)
				}
				if len(api.sends) != 0 {
					t.Errorf("sent despite the error")
				}
				return
			}
			in := api.sends[0]
			if len(in.Parameters) != len(tt.params) {
				t.Errorf("parameters %v, want %v", in.Parameters, tt.params)
			}
			for k, v := range tt.params {
				if strings.Join(in.Parameters[k], "|") != strings.Join(v, "|") {
					t.Errorf("parameter %s = %v, want %v", k, in.Parameters[k], v)
				}
			}
			if aws.ToString(in.DocumentVersion) != tt.version {
				t.Errorf("version %q, want %q", aws.ToString(in.DocumentVersion), tt.version)
			}
			if tt.req.Document == "" && api.describeCalls != 0 {
				t.Errorf("DescribeDocument called for the shell document")
			}
		})
	}
}

// Bad requests are usage errors found before any AWS call.
func TestRequestValidate(t *testing.T) {
	t.Parallel()
	specs := mustSpecs("web-1")
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"no targets", Request{Commands: []string{"ls"}}, "no targets"},
		{"no command", Request{Specs: specs}, "no command"},
		{"empty command", Request{Specs: specs, Commands: []string{"  "}}, "empty command"},
		{"concurrency zero", Request{Specs: specs, Commands: []string{"ls"}, MaxConcurrency: "0"}, "invalid --max-concurrency"},
		{"concurrency junk", Request{Specs: specs, Commands: []string{"ls"}, MaxConcurrency: "ten"}, "invalid --max-concurrency"},
		{"concurrency 101%", Request{Specs: specs, Commands: []string{"ls"}, MaxConcurrency: "101%"}, "invalid --max-concurrency"},
		{"errors negative", Request{Specs: specs, Commands: []string{"ls"}, MaxErrors: "-1"}, "invalid --max-errors"},
		{"timeout fraction", Request{Specs: specs, Commands: []string{"ls"}, ExecutionTimeout: 1500 * time.Millisecond}, "invalid --timeout"},
		{"timeout too long", Request{Specs: specs, Commands: []string{"ls"}, ExecutionTimeout: 49 * time.Hour}, "invalid --timeout"},
		{"timeout under the agent's 5 s", Request{Specs: specs, Commands: []string{"ls"}, ExecutionTimeout: 2 * time.Second}, "from 5s to 48h"},
		{"timeout negative", Request{Specs: specs, Commands: []string{"ls"}, ExecutionTimeout: -time.Minute}, "invalid --timeout"},
		{"executionTimeout param too small", Request{Specs: specs, Commands: []string{"ls"}, Parameters: map[string][]string{"executionTimeout": {"2"}}}, "invalid executionTimeout"},
		{"executionTimeout param junk", Request{Specs: specs, Commands: []string{"ls"}, Parameters: map[string][]string{"executionTimeout": {"1h"}}}, "invalid executionTimeout"},
		{"delivery too short", Request{Specs: specs, Commands: []string{"ls"}, DeliveryTimeout: 10 * time.Second}, "invalid --delivery-timeout"},
		{"delivery too long", Request{Specs: specs, Commands: []string{"ls"}, DeliveryTimeout: 2592001 * time.Second}, "invalid --delivery-timeout"},
		{"concurrency too long", Request{Specs: specs, Commands: []string{"ls"}, MaxConcurrency: "12345678"}, "invalid --max-concurrency"},
		{"errors too long", Request{Specs: specs, Commands: []string{"ls"}, MaxErrors: "12345678"}, "invalid --max-errors"},
		{"bucket too short", Request{Specs: specs, Commands: []string{"ls"}, OutputS3Bucket: "ab"}, "3 to 63"},
		{"prefix too long", Request{Specs: specs, Commands: []string{"ls"}, OutputS3Bucket: "abc", OutputS3Prefix: strings.Repeat("p", 501)}, "--output-s3-prefix"},
		{"log group too long", Request{Specs: specs, Commands: []string{"ls"}, CloudWatchOutput: true, CloudWatchLogGroup: strings.Repeat("g", 513)}, "log group"},
		{"prefix without bucket", Request{Specs: specs, Commands: []string{"ls"}, OutputS3Prefix: "x"}, "needs --output-s3-bucket"},
		{"document colon", Request{Specs: specs, Document: "Doc:", Commands: []string{"ls"}}, "version must be"},
		{"commands twice", Request{Specs: specs, Commands: []string{"ls"}, Parameters: map[string][]string{"commands": {"pwd"}}}, "not both"},
		{"long comment", Request{Specs: specs, Commands: []string{"ls"}, Comment: strings.Repeat("x", 101)}, "--comment"},
	}
	for _, tt := range tests {
		err := tt.req.Validate()
		if exitcode.Code(err) != exitcode.Usage || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want usage error with %q", tt.name, err, tt.want)
		}
	}
	for _, ok := range []Request{
		{Specs: specs, Commands: []string{"ls"}, MaxConcurrency: "10%", MaxErrors: "0"},
		{Specs: specs, Commands: []string{"ls"}, MaxConcurrency: "100%", MaxErrors: "100%"},
		{Specs: specs, Commands: []string{"ls"}, ExecutionTimeout: 5 * time.Second, DeliveryTimeout: 2592000 * time.Second},
		{Specs: specs, Commands: []string{"ls"}, ExecutionTimeout: 48 * time.Hour, DeliveryTimeout: 30 * time.Second},
		{Specs: specs, Commands: []string{"ls"}, Parameters: map[string][]string{"executionTimeout": {"172800"}}},
		{Specs: specs, Document: "arn:aws:ssm:us-east-1:123456789012:document/Mine:$LATEST"},
		{Specs: specs, Document: "Mine", Parameters: map[string][]string{"x": {"1"}}},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}

func TestSplitDocument(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]string{
		"AWS-RunShellScript": {"AWS-RunShellScript", ""},
		"Mine:3":             {"Mine", "3"},
		"Mine:$DEFAULT":      {"Mine", "$DEFAULT"},
		"arn:aws:ssm:us-east-1:123456789012:document/Mine":   {"arn:aws:ssm:us-east-1:123456789012:document/Mine", ""},
		"arn:aws:ssm:us-east-1:123456789012:document/Mine:2": {"arn:aws:ssm:us-east-1:123456789012:document/Mine", "2"},
	} {
		name, version, err := splitDocument(in)
		if err != nil || name != want[0] || version != want[1] {
			t.Errorf("splitDocument(%q) = %q, %q, %v; want %q, %q", in, name, version, err, want[0], want[1])
		}
	}
}

// A target that matches nothing is the resolver's usage error; nothing is sent.
func TestStartNoMatch(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	c := &Client{API: api, Nodes: &fakeNodes{err: exitcode.Usagef("no managed node matches web-*")}, Clock: newFakeClock()}
	_, err := c.Start(context.Background(), Request{Specs: mustSpecs("web-*"), Commands: []string{"ls"}})
	if exitcode.Code(err) != exitcode.Usage || len(api.sends) != 0 {
		t.Errorf("err %v, %d sends", err, len(api.sends))
	}
}
