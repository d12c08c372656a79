package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/ssmctl/ssmctl/pkg/cmdline"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Session documents ssmctl names itself.
const (
	// ShellDocument is what AWS runs when StartSession names no document.
	ShellDocument              = "SSM-SessionManagerRunShell"
	InteractiveCommandDocument = "AWS-StartInteractiveCommand"
	NonInteractiveDocument     = "AWS-StartNonInteractiveCommand"
)

// Request is what a session is started with.
type Request struct {
	// Specs must select exactly one node (see Client.Pick).
	Specs []target.Spec
	// Document is a Session document; empty means the shell (no
	// DocumentName in StartSession, which AWS reads as
	// SSM-SessionManagerRunShell).
	Document string
	// Parameters are the document's parameters; a key given several times
	// is a list.
	Parameters map[string][]string
	// Reason is StartSession's Reason (1-256 characters).
	Reason string
	// PickAny chooses a random online node among several matches.
	PickAny bool
	// PickFromAll allows no Specs: the Client's picker chooses among every
	// Online node (a terminal session with no target, as gossm does).
	PickFromAll bool
	// Command, when set, is a one-shot command: the words after "--",
	// run with AWS-StartNonInteractiveCommand in the node's shell
	// (pkg/cmdline); Document and Parameters are then ssmctl's.
	Command []string
}

// forNode fills in a one-shot command's document and parameters for the
// node's platform: on Linux and macOS the agent splits the command into
// words and runs them without a shell, so the line goes to "sh -c"; on
// Windows it hands the command to PowerShell, so the line is PowerShell's.
// separateOutputStream makes the agent send stderr as StdErr and the exit
// code as ExitCode payloads.
func (r Request) forNode(n target.Node) Request {
	if len(r.Command) == 0 {
		return r
	}
	sh := cmdline.For(n.PlatformType)
	line := cmdline.Join(r.Command, sh)
	if sh == cmdline.Sh {
		line = cmdline.ShC(line)
	}
	r.Document = NonInteractiveDocument
	r.Parameters = map[string][]string{"command": {line}, "separateOutputStream": {"true"}}
	return r
}

// Validate checks the request without I/O.
func (r Request) Validate() error {
	if len(r.Specs) == 0 && !r.PickFromAll {
		return exitcode.Usagef("no target: name one node")
	}
	if n := len(r.Reason); n > 256 {
		return exitcode.Usagef("--reason is %d characters; AWS allows at most 256", n)
	}
	if r.Document == "" && len(r.Parameters) > 0 {
		return exitcode.Usagef("--param needs --document: the shell takes no parameters")
	}
	if r.Document != "" && !validDocumentName(r.Document) {
		return exitcode.Usagef("invalid document name %q: 3 to 128 of a-z A-Z 0-9 _ - . : /", r.Document)
	}
	return nil
}

// RefusePortDocument refuses AWS's Port session documents by name, with no
// call: the session command opens shells and commands; a Port session
// carries a TCP stream, which port-forward serves. (Open refuses the
// account's own Port documents once it has read them.)
func RefusePortDocument(name string) error {
	if slices.Contains(portDocuments, name) {
		return portDocumentError(name)
	}
	return nil
}

// portDocuments are AWS's Port session documents, known without asking.
var portDocuments = []string{PortForwardingDocument, PortForwardingToRemoteDocument, "AWS-StartSSHSession"}

// portDocumentError refuses a Port document: session opens shells and
// commands; a Port session carries a TCP stream, which port-forward serves.
func portDocumentError(name string) error {
	return exitcode.Usagef("document %s starts a port forwarding session, which session does not open: use ssmctl port-forward", name)
}

// validDocumentName is StartSession's DocumentName pattern
// ^([a-zA-Z0-9_\-.:/]{3,128})$ (SSM model).
func validDocumentName(s string) bool {
	if len(s) < 3 || len(s) > 128 {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_-.:/", c)
		if !ok {
			return false
		}
	}
	return true
}

// Client starts sessions.
type Client struct {
	API   API
	Nodes target.NodeResolver
	// Pick chooses one of several matching nodes, e.g. with a picker on a
	// terminal. Nil means several matches are a usage error that lists them.
	Pick func(nodes []target.Node) (target.Node, error)
	// Intn picks the random node of --pick any; nil uses math/rand.
	Intn func(n int) int
}

// Started is a session AWS has opened. Token is secret: it is never
// printed, logged or put in an error.
type Started struct {
	SessionID string
	StreamURL string
	Token     string
	Node      target.Node
	Document  string
}

// ResolveNode finds the one node a request targets. A request with no
// target (Specs empty, PickFromAll) asks the picker to choose among every
// Online node.
func (c *Client) ResolveNode(ctx context.Context, r Request) (target.Node, error) {
	if len(r.Specs) == 0 {
		if c.Pick == nil {
			return target.Node{}, exitcode.Usagef("no target: name one node")
		}
		online, err := c.Nodes.Resolve(ctx, target.Query{Ping: []string{string(types.PingStatusOnline)}, WithNames: true})
		if err != nil {
			return target.Node{}, err
		}
		if len(online) == 0 {
			return target.Node{}, exitcode.New(exitcode.AWS, "no managed node is Online")
		}
		return c.Pick(online)
	}
	nodes, err := c.Nodes.Resolve(ctx, target.Query{Specs: r.Specs, WithNames: true})
	if err != nil {
		return target.Node{}, err
	}
	if len(nodes) == 0 {
		return target.Node{}, exitcode.Usagef("no managed node matches %s", specList(r.Specs))
	}
	if len(nodes) == 1 {
		return nodes[0], checkOnline(nodes[0])
	}
	if r.PickAny {
		var online []target.Node
		for _, n := range nodes {
			if n.PingStatus == string(types.PingStatusOnline) {
				online = append(online, n)
			}
		}
		if len(online) == 0 {
			return target.Node{}, exitcode.New(exitcode.AWS, "none of the %d nodes matching %s is online", len(nodes), specList(r.Specs))
		}
		intn := c.Intn
		if intn == nil {
			intn = rand.IntN
		}
		return online[intn(len(online))], nil
	}
	if c.Pick != nil {
		// The picker offers only what a session can reach.
		online := slices.DeleteFunc(slices.Clone(nodes), func(n target.Node) bool { return n.PingStatus != "" && n.PingStatus != string(types.PingStatusOnline) })
		if len(online) == 0 {
			return target.Node{}, exitcode.New(exitcode.AWS, "none of the %d nodes matching %s is online", len(nodes), specList(r.Specs))
		}
		n, err := c.Pick(online)
		if err != nil {
			return target.Node{}, err
		}
		return n, checkOnline(n)
	}
	return target.Node{}, &exitcode.Error{Code: exitcode.Usage, Err: &CandidatesError{Specs: specList(r.Specs), Nodes: nodes}}
}

// CandidatesError is a target that matches several nodes where no picker
// can ask which one; ResolveNode returns it as a usage error (exit 252).
type CandidatesError struct {
	Specs string
	Nodes []target.Node
}

func (e *CandidatesError) Error() string {
	labels := make([]string, len(e.Nodes))
	for i, n := range e.Nodes {
		labels[i] = NodeLabel(n)
		if n.PingStatus != "" {
			labels[i] += " [" + n.PingStatus + "]"
		}
	}
	return fmt.Sprintf("%s matches %d nodes; a session needs one (name it, or use --pick any): %s", e.Specs, len(e.Nodes), strings.Join(labels, ", "))
}

// NodeLabel is "name (id)", or the ID when there is no name.
func NodeLabel(n target.Node) string {
	if n.Name != "" && n.Name != n.ID {
		return n.Name + " (" + n.ID + ")"
	}
	return n.ID
}

// checkOnline refuses a node Session Manager cannot reach: AWS would
// answer StartSession with TargetNotConnected.
func checkOnline(n target.Node) error {
	if n.PingStatus == "" || n.PingStatus == string(types.PingStatusOnline) {
		return nil
	}
	return exitcode.New(exitcode.AWS, "%s is %s, not Online: its SSM Agent is not connected, so no session can reach it", NodeLabel(n), n.PingStatus)
}

func specList(specs []target.Spec) string {
	s := make([]string, len(specs))
	for i, sp := range specs {
		s[i] = sp.Raw
	}
	return strings.Join(s, " ")
}

// CheckDocument reads a session document with DescribeDocument and checks
// that it is a Session document declaring every parameter given.
func (c *Client) CheckDocument(ctx context.Context, name string, params map[string][]string) error {
	if name == "" {
		return nil
	}
	out, err := c.API.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String(name)})
	if err != nil {
		var invalid *types.InvalidDocument
		if errors.As(err, &invalid) {
			return exitcode.Reword(err, "document %s not found", name)
		}
		return err
	}
	d := out.Document
	if d == nil {
		return fmt.Errorf("DescribeDocument %s: empty answer", name)
	}
	if d.DocumentType != "" && d.DocumentType != types.DocumentTypeSession {
		return exitcode.Usagef("document %s is a %s document; a session needs a Session document", name, d.DocumentType)
	}

	declared := map[string]types.DocumentParameter{}
	var names []string
	for _, p := range d.Parameters {
		declared[aws.ToString(p.Name)] = p
		names = append(names, aws.ToString(p.Name))
	}
	sort.Strings(names)
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p, ok := declared[k]
		if !ok {
			if len(names) == 0 {
				return exitcode.Usagef("document %s takes no parameters, got --param %s", name, k)
			}
			return exitcode.Usagef("document %s has no parameter %q (it has: %s)", name, k, strings.Join(names, ", "))
		}
		if p.Type == types.DocumentParameterTypeString && len(params[k]) > 1 {
			return exitcode.Usagef("parameter %s of %s is a String: give it once", k, name)
		}
	}
	// "Parameters without a default value are required" (the SSM model,
	// DocumentParameter.DefaultValue); StartSession refuses a session
	// without them (InvalidParameters). An empty default is a default.
	for _, n := range names {
		if _, given := params[n]; !given && declared[n].DefaultValue == nil {
			return exitcode.Usagef("document %s needs --param %s=...", name, n)
		}
	}
	return nil
}

// sessionType reads a Session document's sessionType with GetDocument.
func (c *Client) sessionType(ctx context.Context, name string) (string, error) {
	out, err := c.API.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(name), DocumentFormat: types.DocumentFormatJson})
	if err != nil {
		return "", err
	}
	var content struct {
		SessionType string `json:"sessionType"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Content)), &content); err != nil {
		return "", fmt.Errorf("GetDocument %s: the content is not JSON: %w", name, err)
	}
	return content.SessionType, nil
}

// Start resolves the node, checks the document and calls StartSession.
func (c *Client) Start(ctx context.Context, r Request) (*Started, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	node, err := c.ResolveNode(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := c.CheckDocument(ctx, r.Document, r.Parameters); err != nil {
		return nil, err
	}
	return c.StartOn(ctx, node, r)
}

// StartOn calls StartSession for a node already resolved.
func (c *Client) StartOn(ctx context.Context, node target.Node, r Request) (*Started, error) {
	r = r.forNode(node)
	in := &ssm.StartSessionInput{Target: aws.String(node.ID)}
	if r.Document != "" {
		in.DocumentName = aws.String(r.Document)
	}
	if len(r.Parameters) > 0 {
		in.Parameters = r.Parameters
	}
	if r.Reason != "" {
		in.Reason = aws.String(r.Reason)
	}
	out, err := c.API.StartSession(ctx, in)
	if err != nil {
		var nc *types.TargetNotConnected
		if errors.As(err, &nc) {
			return nil, exitcode.Reword(err, "%s is not connected to Session Manager", NodeLabel(node))
		}
		// An on-premises node in the standard tier: say how to switch.
		var api smithy.APIError
		if errors.As(err, &api) && api.ErrorCode() == "BadRequest" && strings.HasPrefix(node.ID, "mi-") {
			return nil, exitcode.Reword(err, "%s (ssmctl activate tier set advanced)", api.ErrorMessage())
		}
		return nil, err
	}
	s := &Started{
		SessionID: aws.ToString(out.SessionId),
		StreamURL: aws.ToString(out.StreamUrl),
		Token:     aws.ToString(out.TokenValue),
		Node:      node,
		Document:  r.Document,
	}
	if s.SessionID == "" || s.StreamURL == "" || s.Token == "" {
		if s.SessionID != "" {
			c.Terminate(context.WithoutCancel(ctx), s.SessionID)
		}
		return nil, fmt.Errorf("StartSession answered without a session ID, stream URL or token")
	}
	return s, nil
}

// Terminate calls TerminateSession and reports its error.
func (c *Client) Terminate(ctx context.Context, sessionID string) error {
	_, err := c.API.TerminateSession(ctx, &ssm.TerminateSessionInput{SessionId: aws.String(sessionID)})
	return err
}
