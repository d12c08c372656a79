package sandbox

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/instanceconnect"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/params"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Options configure a sandbox. The zero value is a usable default: the
// default fleet on 127.0.0.1 with a free port, us-east-1, account
// 123456789012 and fresh random credentials.
type Options struct {
	// Listen is the address to listen on, loopback only ("127.0.0.1:0",
	// "[::1]:8080", "localhost:4566"). Default "127.0.0.1:0".
	Listen string
	// The fleet: at most one of FleetFile, Fleet and Nodes (generate that
	// many nodes from Seed). None: DefaultFleet.
	FleetFile string
	Fleet     *Fleet
	Nodes     int
	// Region and AccountID the sandbox answers for. Defaults us-east-1 and
	// 123456789012.
	Region    string
	AccountID string
	// Credentials requests must be signed with; random per run when empty.
	AccessKeyID     string
	SecretAccessKey string
	// Locations are more accounts and Regions the sandbox serves behind
	// the same listener, each with its own fleet and state; a fleet
	// file's (or Fleet's) `locations:` add theirs. A request's location is
	// its credentials' account and its signature's Region
	// (docs/sandbox.md, "Several accounts and Regions").
	Locations []Location
	// AccountCredentials are the key pairs of accounts other than the
	// main one, by account ID; random per run for an account not here.
	AccountCredentials map[string]Credentials
	// StatePath, when set, persists the state: it is loaded at New if the
	// file exists (and then wins over the fleet options) and saved after
	// every change and at Close.
	StatePath string
	// Faults to inject into API calls, drawn from Seed.
	Faults Faults
	// Quotas limit the request rate per operation (AWSQuotas are AWS's
	// published Parameter Store figures); calls beyond a quota get the
	// service's throttling error. None by default, so tests run fast.
	Quotas Quotas
	// Seed makes fault injection and generated fleets reproducible.
	Seed int64
	// Logf receives one line per request (never bodies or secrets); nil is
	// silent.
	Logf func(format string, args ...any)
	// Clock is the sandbox's time (signature skew checks, ping times);
	// default time.Now.
	Clock func() time.Time
	// KMSKeys are the customer managed keys Parameter Store accepts as a
	// SecureString's KeyId, besides the AWS managed alias/aws/ssm. None:
	// DefaultKMSKey. A state file keeps the keys it was created with.
	KMSKeys []KMSKey
	// Latency is added to every API call after authentication, as a slow
	// or distant endpoint would; a client that gives up ends the wait.
	Latency time.Duration

	// Run Command timing. Zero means the default, negative means none.
	// The defaults are fast, for tests; `ssmctl sandbox` should pass
	// realistic values (RealisticInvocationDelay, RealisticRebootDelay).
	//
	// InvocationDelay is how long after SendCommand an invocation stays
	// invisible to GetCommandInvocation, which answers
	// InvocationDoesNotExist meanwhile, as AWS's eventually consistent Run
	// Command does. Default DefaultInvocationDelay.
	InvocationDelay time.Duration
	// RebootDelay is how long a node takes to "reboot" after a script
	// exits 194 (3010 on Windows); the invocation stays InProgress.
	// Default DefaultRebootDelay.
	RebootDelay time.Duration
	// TimeoutScale multiplies every Run Command timeout: the delivery
	// timeout (TimeoutSeconds, at least 30 s by the model), the execution
	// timeouts (at least 5 s by the agent) and so ExpiresAfter. Tests use
	// e.g. 0.01 to see a 30-second delivery timeout in 0.3 s. Default 1.
	TimeoutScale float64

	// NoPacing lifts the session data pacing: the agent's 1 ms pause after
	// every output message of at most 1024 bytes, and its 1 s wait before
	// a shell's first output. For quick tests; the default keeps the real
	// agent's pace (about 1 MB/s).
	NoPacing bool

	// readTimeout, for tests, replaces the 10 s a client has to send a
	// request's headers (http.Server.ReadHeaderTimeout) and then its body
	// (router.DefaultBodyTimeout).
	readTimeout time.Duration
}

// Location is one more account and Region the sandbox serves.
type Location struct {
	// AccountID is the account; "" is the main one (Options.AccountID).
	AccountID string
	Region    string
	// Fleet is the location's nodes; nil is the default fleet.
	Fleet *Fleet
}

// Credentials are an account's key pair.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
}

// readHeaderTimeout is how long a client has to send a request's headers
// once connected (or once its previous request was answered).
const readHeaderTimeout = 10 * time.Second

// Defaults of the timing options (Options).
const (
	DefaultInvocationDelay = 20 * time.Millisecond
	DefaultRebootDelay     = 100 * time.Millisecond
)

// Realistic Run Command timing, for an interactive sandbox: AWS takes a
// moment to make an invocation visible, and a node takes a while to
// reboot.
const (
	RealisticInvocationDelay = 500 * time.Millisecond
	RealisticRebootDelay     = 5 * time.Second
)

// Server is a running sandbox: one HTTP listener speaking the AWS wire
// protocols.
type Server struct {
	opts        Options
	ln          net.Listener
	http        *http.Server
	region      string
	accountID   string
	accessKeyID string
	secretKey   string
	clock       func() time.Time

	router *router.Router

	// locs are the locations served, the main one first; keys maps each
	// account's access key ID to the account, creds the accounts to their
	// key pairs.
	locs  []*location
	keys  map[string]string
	creds map[string]Credentials

	connMu sync.Mutex
	fresh  map[net.Conn]bool // connections with no request yet (trackConn)

	host      *area.Host
	nodes     *nodes.Area
	documents *documents.Area
	// instanceConnect answers InstanceConnectKeys (users.go).
	instanceConnect *instanceconnect.Area

	closeOnce sync.Once
	closeErr  error
}

var (
	// Region names as AWS forms them (us-east-1, eu-central-2, us-gov-west-1).
	regionPattern    = lazyre.New(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	accountIDPattern = lazyre.New(`^[0-9]{12}$`)
	// IAM's AccessKeyIdType: 16 to 128 word characters.
	accessKeyPattern = lazyre.New(`^[\w]{16,128}$`)
)

// New validates the options, loads the fleet (or the state file) and opens
// the listener. Call Serve or Start to answer requests, and Close.
func New(opts Options) (*Server, error) {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.InvocationDelay == 0 {
		opts.InvocationDelay = DefaultInvocationDelay
	}
	if opts.RebootDelay == 0 {
		opts.RebootDelay = DefaultRebootDelay
	}
	if opts.TimeoutScale < 0 {
		return nil, fmt.Errorf("sandbox: timeout scale %g is negative", opts.TimeoutScale)
	}
	if err := checkListen(opts.Listen); err != nil {
		return nil, err
	}
	if !regionPattern.MatchString(opts.Region) {
		return nil, fmt.Errorf("sandbox: region %q is not a region name such as us-east-1", opts.Region)
	}
	if !accountIDPattern.MatchString(opts.AccountID) {
		return nil, fmt.Errorf("sandbox: account ID %q is not 12 digits", opts.AccountID)
	}
	if (opts.AccessKeyID == "") != (opts.SecretAccessKey == "") {
		return nil, errors.New("sandbox: give both the access key ID and the secret access key, or neither")
	}
	if opts.AccessKeyID == "" {
		opts.AccessKeyID, opts.SecretAccessKey = randomCredentials()
	} else if !accessKeyPattern.MatchString(opts.AccessKeyID) {
		return nil, errors.New("sandbox: the access key ID must be 16 to 128 letters, digits or underscores")
	}
	if err := params.ValidateKMSKeys(opts.KMSKeys); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := opts.Faults.Validate(); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	sources := 0
	for _, set := range []bool{opts.FleetFile != "", opts.Fleet != nil, opts.Nodes != 0} {
		if set {
			sources++
		}
	}
	if sources > 1 {
		return nil, errors.New("sandbox: give at most one of a fleet file, a fleet and a node count")
	}
	if opts.Nodes < 0 {
		return nil, fmt.Errorf("sandbox: node count %d is negative", opts.Nodes)
	}

	s := &Server{
		opts:        opts,
		region:      opts.Region,
		accountID:   opts.AccountID,
		accessKeyID: opts.AccessKeyID,
		secretKey:   opts.SecretAccessKey,
		clock:       opts.Clock,
	}
	sf, err := store.Open(opts.StatePath, s.logf)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	fleet, err := startingFleet(opts, sf.Loaded())
	if err != nil {
		return nil, err
	}
	extra, err := s.declaredLocations(opts, fleet, sf)
	if err != nil {
		return nil, err
	}
	if err := s.openLocations(opts, sf, fleet, extra); err != nil {
		return nil, err
	}

	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s.ln = ln
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: cmp.Or(opts.readTimeout, readHeaderTimeout),
		ConnState:         s.trackConn,
	}
	return s, nil
}

// startingFleet is the fleet the options name; none when the state file
// was loaded (its nodes win over the fleet options).
func startingFleet(opts Options, loaded bool) (*Fleet, error) {
	switch {
	case loaded:
		return nil, nil
	case opts.FleetFile != "":
		f, err := LoadFleet(opts.FleetFile)
		if err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		return f, nil
	case opts.Fleet != nil:
		f := opts.Fleet.Clone()
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("sandbox: fleet: %w", err)
		}
		return f, nil
	case opts.Nodes > 0:
		return GenerateFleet(opts.Nodes, opts.Seed), nil
	}
	return DefaultFleet(), nil
}

// checkListen refuses anything but loopback: the sandbox runs commands as
// the user who started it.
func checkListen(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen address %q: want host:port, e.g. 127.0.0.1:0", addr)
	}
	if !nodes.IsLoopbackHost(host) {
		if host == "" {
			host = "all interfaces"
		}
		return fmt.Errorf("sandbox: refusing to listen on %s (%q): the sandbox listens on loopback only (127.0.0.0/8, ::1 or localhost)", host, addr)
	}
	return nil
}

func randomCredentials() (keyID, secret string) {
	const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	const mixed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 16+40)
	if _, err := rand.Read(b); err != nil {
		panic("sandbox: no randomness: " + err.Error())
	}
	id := make([]byte, 16)
	for i := range id {
		id[i] = upper[int(b[i])%len(upper)]
	}
	sec := make([]byte, 40)
	for i := range sec {
		sec[i] = mixed[int(b[16+i])%len(mixed)]
	}
	return "AKIA" + string(id), string(sec)
}

// Serve answers requests until Close. It returns nil after Close.
func (s *Server) Serve() error {
	err := s.http.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Start serves in the background.
func (s *Server) Start() {
	go func() {
		if err := s.Serve(); err != nil {
			s.logf("sandbox: serve: %v", err)
		}
	}()
}

// Close stops accepting requests, waits (up to 5 s) for those in flight and
// saves the state. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.closeFreshConns()
		s.router.Stop()
		err := s.http.Shutdown(ctx)
		s.ln.Close()
		// The main location first: its engines (the parents of
		// TargetLocations children, usually) stop before the locations
		// their children run in close under them.
		for _, l := range s.locs {
			if serr := l.host.Close(); serr != nil && err == nil {
				err = serr
			}
		}
		s.closeErr = err
	})
	return s.closeErr
}

// trackConn remembers connections that have not sent a request yet.
func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if state == http.StateNew {
		if s.fresh == nil {
			s.fresh = map[net.Conn]bool{}
		}
		s.fresh[c] = true
		return
	}
	delete(s.fresh, c)
}

// closeFreshConns closes the connections that never sent a request. A
// client that cancels a call while dialing keeps the new connection in its
// idle pool, and http.Server.Shutdown counts such a connection as busy for
// its first 5 seconds; nothing is lost by closing it.
func (s *Server) closeFreshConns() {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	for c := range s.fresh {
		c.Close()
	}
	s.fresh = nil
}

// URL is the endpoint to give clients, e.g. http://127.0.0.1:38123.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Region is the region the sandbox answers for.
func (s *Server) Region() string { return s.region }

// AccountID is the account the sandbox's ARNs name.
func (s *Server) AccountID() string { return s.accountID }

// Credentials are the keys requests must be signed with.
func (s *Server) Credentials() (accessKeyID, secretKey string) {
	return s.accessKeyID, s.secretKey
}

// Env is the environment a shell needs to point the AWS CLI, SDKs or ssmctl
// at the sandbox, as KEY=VALUE lines.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.URL(),
		"AWS_ACCESS_KEY_ID=" + s.accessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + s.secretKey,
		"AWS_REGION=" + s.region,
		"AWS_DEFAULT_REGION=" + s.region,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// NodeCount is the number of managed nodes in the sandbox.
func (s *Server) NodeCount() int { return s.nodes.Count() }

// NodeARN is a node's ARN: ec2 instance/i-… or ssm managed-instance/mi-….
func (s *Server) NodeARN(id string) string { return s.nodes.ARN(id) }

// NodeDir is the working directory of a node (created on first use), for
// tests that check what a command left behind.
func (s *Server) NodeDir(id string) (string, error) { return s.nodes.Dir(id) }

// Stats returns a copy of the per-operation statistics.
func (s *Server) Stats() Stats { return s.router.Stats() }

// ResetStats zeroes the statistics.
func (s *Server) ResetStats() { s.router.ResetStats() }

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		s.serveControl(w, r)
		return
	}
	if h := s.streamLocation(r).router.Stream(r.URL.Path); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	s.locate(r).router.ServeHTTP(w, r)
}

// serveControl answers the sandbox's own endpoints. They are not AWS APIs:
// unsigned, never faulted, not counted.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_sandbox/stats" && r.Method == http.MethodGet:
		protocol.WriteJSON(w, protocol.RESTJSON, http.StatusOK, s.Stats())
	case r.URL.Path == "/_sandbox/stats/reset" && r.Method == http.MethodPost:
		s.ResetStats()
		protocol.WriteJSON(w, protocol.RESTJSON, http.StatusOK, s.Stats())
	case r.URL.Path == "/_sandbox/stats" || r.URL.Path == "/_sandbox/stats/reset":
		w.Header().Set("Allow", map[bool]string{true: "GET", false: "POST"}[r.URL.Path == "/_sandbox/stats"])
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	default:
		http.NotFound(w, r)
	}
}

// APIError is an error answer in AWS's shape (the protocol package's).
type APIError = protocol.APIError

// Statistics, faults and quotas are the router's.
type (
	Stats          = router.Stats
	OperationStats = router.OperationStats
	LatencyMS      = router.LatencyMS
	Faults         = router.Faults
	Quotas         = router.Quotas
)

// AWSQuotas are the Parameter Store throughput quotas AWS publishes for
// the default (standard) throughput setting; docs/sandbox-parameters.md
// gives their sources.
func AWSQuotas() Quotas { return router.AWSQuotas() }

// FaultNames lists the fault names Faults.Add accepts, with a line of
// help each, for a command's --help.
func FaultNames() map[string]string { return router.FaultNames() }

// ParseFault parses "name=value", e.g. "throttle=0.2", as given to
// `ssmctl sandbox --fault`.
func ParseFault(s string) (name string, value float64, err error) { return router.ParseFault(s) }

// DefaultStallFor is how long a stalled call waits when Faults.StallFor
// is not set.
const DefaultStallFor = router.DefaultStallFor

// How the lost-reply fault loses an answer (Faults.LostReplyAs).
const (
	LostReplyAsError = router.LostReplyAsError
	LostReplyAsClose = router.LostReplyAsClose
)

// KMSKey declares a customer managed key (Parameter Store's).
type KMSKey = params.KMSKey

// DefaultKMSKey is the customer managed key a sandbox has when no keys are
// declared.
var DefaultKMSKey = params.DefaultKMSKey

// The fleet and its nodes are the nodes area's.
type (
	Fleet    = nodes.Fleet
	Node     = nodes.Node
	Platform = nodes.Platform
)

// LatestAgentVersion is the SSM Agent version the sandbox considers current
// (InstanceInformation.IsLatestVersion compares against it).
const LatestAgentVersion = nodes.LatestAgentVersion

// LoadFleet reads a fleet file (docs/sandbox.md). Errors name the file and
// the node.
func LoadFleet(path string) (*Fleet, error) { return nodes.LoadFleet(path) }

// ParseFleet parses and validates fleet YAML. Unknown keys are errors.
func ParseFleet(b []byte) (*Fleet, error) { return nodes.ParseFleet(b) }

// DefaultFleet is the fleet the sandbox starts with when given none: Linux
// web and db nodes in dev and prod, a hybrid node, a Windows node and one
// that has lost its connection.
func DefaultFleet() *Fleet { return nodes.DefaultFleet() }

// GenerateFleet makes n varied nodes, the same for the same seed: Name tags
// node-0001…, Environment Dev/Staging/Prod, Role web/db/worker, about one in
// ten hybrid, one in eight Windows, one in twelve ConnectionLost.
func GenerateFleet(n int, seed int64) *Fleet { return nodes.GenerateFleet(n, seed) }
