package session

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

func TestEscaper(t *testing.T) {
	for _, tc := range []struct {
		chunks []string
		want   string
		leave  bool
	}{
		{[]string{"~."}, "", true},
		{[]string{"ls\r~."}, "ls\r", true},
		{[]string{"ls\r", "~", "."}, "ls\r", true},
		{[]string{"a~."}, "a~.", false},
		{[]string{"~~"}, "~", false},
		{[]string{"~~."}, "~.", false},
		{[]string{"~x"}, "~x", false},
		{[]string{"\r~", "?"}, "\r~?", false},
		{[]string{"x\n~."}, "x\n", true},
	} {
		e := newEscaper()
		var out string
		leave := false
		for _, c := range tc.chunks {
			b, l := e.feed([]byte(c))
			out += string(b)
			if l {
				leave = true
				break
			}
		}
		if out != tc.want || leave != tc.leave {
			t.Errorf("%q: sent %q leave %v, want %q %v", tc.chunks, out, leave, tc.want, tc.leave)
		}
	}
}

func TestRecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.cast")
	t0 := time.Unix(1700000000, 0)
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRecording(w, RecordingHeader{Width: 120, Height: 40, SessionID: "s-1", Target: "i-1", Reason: "INC-1"}, false, t0)
	if err != nil {
		t.Fatal(err)
	}
	r.Output(t0.Add(500*time.Millisecond), []byte("h\xc3"))
	r.Output(t0.Add(time.Second), []byte("\xa9llo\r\n"))
	r.Input(t0.Add(time.Second), []byte("secret"))
	r.Resize(t0.Add(2*time.Second), 100, 30)
	// Written incrementally: readable before Close.
	before, _ := os.ReadFile(path)
	if strings.Count(string(before), "\n") != 4 {
		t.Errorf("before Close the file has:\n%s", before)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %o", fi.Mode().Perm())
	}
	f, _ := os.Open(path)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	var h map[string]any
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	if h["version"] != 2.0 || h["width"] != 120.0 || h["height"] != 40.0 || h["timestamp"] != 1700000000.0 ||
		h["session_id"] != "s-1" || h["target"] != "i-1" || h["reason"] != "INC-1" {
		t.Errorf("header %v", h)
	}
	var events [][]any
	for sc.Scan() {
		var e []any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	want := [][]any{{0.5, "o", "h"}, {1.0, "o", "éllo\r\n"}, {2.0, "r", "100x30"}}
	if len(events) != len(want) {
		t.Fatalf("events %v", events)
	}
	for i := range want {
		for j := range want[i] {
			if events[i][j] != want[i][j] {
				t.Errorf("event %d = %v, want %v", i, events[i], want[i])
			}
		}
	}
}

type fakeNodes struct{ nodes []target.Node }

func (f fakeNodes) Resolve(context.Context, target.Query) ([]target.Node, error) { return f.nodes, nil }

func TestResolveNode(t *testing.T) {
	spec, _ := target.Parse("web-*")
	on1 := target.Node{ID: "i-0000000000000000a", Name: "web-1", PingStatus: "Online"}
	on2 := target.Node{ID: "i-0000000000000000b", Name: "web-2", PingStatus: "Online"}
	off := target.Node{ID: "i-0000000000000000c", Name: "web-3", PingStatus: "ConnectionLost"}
	req := Request{Specs: []target.Spec{spec}}

	c := &Client{Nodes: fakeNodes{[]target.Node{on1, on2, off}}}
	_, err := c.ResolveNode(context.Background(), req)
	var ce *CandidatesError
	if !errors.As(err, &ce) || exitcode.Code(err) != exitcode.Usage {
		t.Fatalf("several nodes: %v (exit %d)", err, exitcode.Code(err))
	}
	for _, n := range []string{"web-1 (i-0000000000000000a)", "web-2", "web-3", "--pick any"} {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("error does not list %s: %v", n, err)
		}
	}

	c.Intn = func(n int) int { return n - 1 }
	got, err := c.ResolveNode(context.Background(), Request{Specs: req.Specs, PickAny: true})
	if err != nil || got.ID != on2.ID {
		t.Errorf("--pick any: %v %v, want the last online node", got.ID, err)
	}

	c.Pick = func(nodes []target.Node) (target.Node, error) { return nodes[2], nil }
	if _, err := c.ResolveNode(context.Background(), req); exitcode.Code(err) != exitcode.AWS || !strings.Contains(err.Error(), "ConnectionLost") {
		t.Errorf("picked offline node: %v", err)
	}

	c = &Client{Nodes: fakeNodes{[]target.Node{off}}}
	if _, err := c.ResolveNode(context.Background(), req); err == nil || !strings.Contains(err.Error(), "not Online") {
		t.Errorf("offline node: %v", err)
	}
	c = &Client{Nodes: fakeNodes{}}
	if _, err := c.ResolveNode(context.Background(), req); exitcode.Code(err) != exitcode.Usage {
		t.Errorf("no node: %v", err)
	}
}

type docAPI struct {
	API
	docs map[string]*types.DocumentDescription
}

func (d docAPI) DescribeDocument(_ context.Context, in *ssm.DescribeDocumentInput, _ ...func(*ssm.Options)) (*ssm.DescribeDocumentOutput, error) {
	doc, ok := d.docs[aws.ToString(in.Name)]
	if !ok {
		return nil, &types.InvalidDocument{Message: aws.String("no such document")}
	}
	return &ssm.DescribeDocumentOutput{Document: doc}, nil
}

func TestCheckDocument(t *testing.T) {
	c := &Client{API: docAPI{docs: map[string]*types.DocumentDescription{
		"AWS-StartPortForwardingSession": {DocumentType: types.DocumentTypeSession, Parameters: []types.DocumentParameter{
			{Name: aws.String("portNumber"), Type: types.DocumentParameterTypeString, DefaultValue: aws.String("80")},
			{Name: aws.String("localPortNumber"), Type: types.DocumentParameterTypeString, DefaultValue: aws.String("0")}}},
		"AWS-StartInteractiveCommand": {DocumentType: types.DocumentTypeSession, Parameters: []types.DocumentParameter{
			{Name: aws.String("command"), Type: types.DocumentParameterTypeString}}},
		"AWS-RunShellScript": {DocumentType: types.DocumentTypeCommand},
		// A document of the account: host has no default, so it is
		// required; note has an empty default, so it is not.
		"MyOrg-Tunnel": {DocumentType: types.DocumentTypeSession, Parameters: []types.DocumentParameter{
			{Name: aws.String("host"), Type: types.DocumentParameterTypeString},
			{Name: aws.String("portNumber"), Type: types.DocumentParameterTypeString, DefaultValue: aws.String("22")},
			{Name: aws.String("note"), Type: types.DocumentParameterTypeString, DefaultValue: aws.String("")}}},
	}}}
	for _, tc := range []struct {
		doc    string
		params map[string][]string
		code   int
		msg    string
	}{
		{"AWS-StartPortForwardingSession", map[string][]string{"portNumber": {"22"}}, 0, ""},
		{"AWS-StartPortForwardingSession", map[string][]string{"port": {"22"}}, exitcode.Usage, `no parameter "port" (it has: localPortNumber, portNumber)`},
		{"AWS-StartPortForwardingSession", map[string][]string{"portNumber": {"1", "2"}}, exitcode.Usage, "give it once"},
		{"AWS-StartInteractiveCommand", nil, exitcode.Usage, "needs --param command"},
		{"MyOrg-Tunnel", map[string][]string{"portNumber": {"5432"}}, exitcode.Usage, "document MyOrg-Tunnel needs --param host=..."},
		{"MyOrg-Tunnel", map[string][]string{"host": {"db.internal"}}, 0, ""},
		{"AWS-RunShellScript", nil, exitcode.Usage, "Command document"},
		{"Nope", nil, exitcode.AWS, "document Nope not found"},
	} {
		err := c.CheckDocument(context.Background(), tc.doc, tc.params)
		if exitcode.Code(err) != tc.code || (tc.msg != "" && !strings.Contains(err.Error(), tc.msg)) {
			t.Errorf("%s %v: %v (exit %d), want exit %d with %q", tc.doc, tc.params, err, exitcode.Code(err), tc.code, tc.msg)
		}
	}
}

func TestParseExitCode(t *testing.T) {
	for in, want := range map[string]int{"EXIT_CODE: 0": 0, "EXIT_CODE: 42\n": 42, "EXIT_CODE:7": 7} {
		if got, ok := parseExitCode([]byte(in)); !ok || got != want {
			t.Errorf("%q -> %d %v", in, got, ok)
		}
	}
	if _, ok := parseExitCode([]byte("exit 1")); ok {
		t.Error("parsed garbage")
	}
}

// A one-shot command is sh -c LINE on Linux and macOS, and the PowerShell
// line itself on Windows (the agent hands it to PowerShell).
func TestForNode(t *testing.T) {
	r := Request{Command: []string{"echo", "it's", "$HOME"}}
	for platform, want := range map[string]string{
		"Linux":   `sh -c 'echo '\''it'\''\'\'''\''s'\'' '\''$HOME'\'''`,
		"MacOS":   `sh -c 'echo '\''it'\''\'\'''\''s'\'' '\''$HOME'\'''`,
		"Windows": `echo 'it''s' '$HOME'`,
	} {
		got := r.forNode(target.Node{ID: "i-1", PlatformType: platform})
		if got.Document != NonInteractiveDocument || got.Parameters["command"][0] != want || got.Parameters["separateOutputStream"][0] != "true" {
			t.Errorf("%s: %s %v, want command %s", platform, got.Document, got.Parameters, want)
		}
	}
	if got := (Request{}).forNode(target.Node{PlatformType: "Windows"}); got.Document != "" || got.Parameters != nil {
		t.Errorf("no command: %+v", got)
	}
}

func TestAgentError(t *testing.T) {
	for in, want := range map[string]string{
		"\n----------ERROR-------\nCommands cannot be empty for session type InteractiveCommands": "Commands cannot be empty for session type InteractiveCommands",
		"----------ERROR-------\r\nfirst line\nsecond line\n":                                     "first line second line",
		"Your session timed out due to inactivity and has been terminated.":                       "Your session timed out due to inactivity and has been terminated.",
		"": "",
	} {
		if got := agentError(in); got != want {
			t.Errorf("agentError(%q) = %q, want %q", in, got, want)
		}
	}
}
