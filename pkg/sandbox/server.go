package sandbox

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
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
}

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
	started     time.Time

	verifier *protocol.Verifier
	stats    *statsRecorder
	faults   *faultInjector
	quotas   *quotaLimiter
	agent    *fleetAgent
	// sessions are the live Session Manager sessions (sessions.go).
	sessions *sessionRegistry

	connMu sync.Mutex
	fresh  map[net.Conn]bool // connections with no request yet (trackConn)

	mu sync.Mutex // guards st
	st *state

	closeOnce sync.Once
	closeErr  error
}

var (
	// Region names as AWS forms them (us-east-1, eu-central-2, us-gov-west-1).
	regionPattern    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	// IAM's AccessKeyIdType: 16 to 128 word characters.
	accessKeyPattern = regexp.MustCompile(`^[\w]{16,128}$`)
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
	if err := validateKMSKeys(opts.KMSKeys); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := opts.Faults.validate(); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	quotas, err := newQuotaLimiter(opts.Quotas)
	if err != nil {
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
		started:     opts.Clock(),
		stats:       newStatsRecorder(),
		faults:      newFaultInjector(opts.Faults, opts.Seed),
		quotas:      quotas,
	}
	s.verifier = &protocol.Verifier{
		Region: opts.Region, AccessKeyID: opts.AccessKeyID, SecretKey: opts.SecretAccessKey,
		Clock: opts.Clock, Known: knownSigningName,
	}
	s.agent = newFleetAgent(s)
	s.sessions = &sessionRegistry{live: map[string]*liveSession{}}

	var st *state
	if opts.StatePath != "" {
		loaded, err := loadState(opts.StatePath)
		if err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		st = loaded
	}
	if st == nil {
		var fleet *Fleet
		switch {
		case opts.FleetFile != "":
			f, err := LoadFleet(opts.FleetFile)
			if err != nil {
				return nil, fmt.Errorf("sandbox: %w", err)
			}
			fleet = f
		case opts.Fleet != nil:
			f := opts.Fleet.clone()
			if err := f.Validate(); err != nil {
				return nil, fmt.Errorf("sandbox: fleet: %w", err)
			}
			fleet = f
		case opts.Nodes > 0:
			fleet = GenerateFleet(opts.Nodes, opts.Seed)
		default:
			fleet = DefaultFleet()
		}
		st = newState(fleet, opts.KMSKeys)
		if opts.StatePath != "" {
			if err := saveState(opts.StatePath, st); err != nil {
				return nil, fmt.Errorf("sandbox: %w", err)
			}
		}
	}
	s.st = st

	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s.ln = ln
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState:         s.trackConn,
	}
	return s, nil
}

// checkListen refuses anything but loopback: the sandbox runs commands as
// the user who started it.
func checkListen(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen address %q: want host:port, e.g. 127.0.0.1:0", addr)
	}
	if !isLoopbackHost(host) {
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
		err := s.http.Shutdown(ctx)
		s.ln.Close()
		// Data channel WebSockets are hijacked connections, which
		// Shutdown leaves alone: end the sessions.
		s.sessions.closeAll()
		// Kill the nodes' scripts and remove their directories.
		if aerr := s.agent.close(); aerr != nil && err == nil {
			err = aerr
		}
		if s.opts.StatePath != "" {
			s.mu.Lock()
			if serr := saveState(s.opts.StatePath, s.st); serr != nil && err == nil {
				err = serr
			}
			s.mu.Unlock()
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
func (s *Server) NodeCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.Nodes)
}

// Stats returns a copy of the per-operation statistics.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the statistics.
func (s *Server) ResetStats() { s.stats.reset() }

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// service is one AWS API the sandbox speaks.
type service struct {
	signingName  string // SigV4 scope service name; also the stats key prefix
	targetPrefix string // X-Amz-Target prefix (JSON 1.1 only)
	protocol     protocol.Protocol
	// The service's own throttling and internal errors, from its model
	// (SSM's model lists no throttling error; AWS answers the common
	// ThrottlingException "Rate exceeded").
	throttle, internal protocol.APIError
	// validationError is the exception for model constraint violations.
	validationError string
}

var (
	svcSSM = &service{
		signingName: "ssm", targetPrefix: "AmazonSSM", protocol: protocol.JSON11,
		throttle:        protocol.APIError{Status: 400, Type: "ThrottlingException", Message: "Rate exceeded"},
		internal:        protocol.APIError{Status: 500, Type: "InternalServerError", Message: "An error occurred on the server side."},
		validationError: "ValidationException",
	}
	svcSecretsManager = &service{
		signingName: "secretsmanager", targetPrefix: "secretsmanager", protocol: protocol.JSON11,
		throttle:        protocol.APIError{Status: 400, Type: "ThrottlingException", Message: "Rate exceeded"},
		internal:        protocol.APIError{Status: 500, Type: "InternalServiceError", Message: "An error occurred on the server side."},
		validationError: "ValidationException",
	}
	// The tagging model's throttling error is ThrottledException and its
	// internal error InternalServiceException.
	svcTagging = &service{
		signingName: "tagging", targetPrefix: "ResourceGroupsTaggingAPI_20170126", protocol: protocol.JSON11,
		throttle:        protocol.APIError{Status: 400, Type: "ThrottledException", Message: "Rate exceeded"},
		internal:        protocol.APIError{Status: 500, Type: "InternalServiceException", Message: "The request processing failed because of an unknown error, exception, or failure."},
		validationError: "ValidationException",
	}
	// Resource Groups is REST-JSON; its model gives throttling as 429
	// TooManyRequestsException, validation as 400 BadRequestException.
	svcResourceGroups = &service{
		signingName: "resource-groups", protocol: protocol.RESTJSON,
		throttle:        protocol.APIError{Status: 429, Type: "TooManyRequestsException", Message: "Rate exceeded"},
		internal:        protocol.APIError{Status: 500, Type: "InternalServerErrorException", Message: "An internal error occurred while processing the request. Try again later."},
		validationError: "BadRequestException",
	}
	services = []*service{svcSSM, svcSecretsManager, svcTagging, svcResourceGroups}
)

func knownSigningName(name string) bool {
	for _, svc := range services {
		if svc.signingName == name {
			return true
		}
	}
	return false
}

func (s *Server) internalErrorName(signingName string) string {
	for _, svc := range services {
		if svc.signingName == signingName {
			return svc.internal.Type
		}
	}
	return "InternalServerError"
}

// handlerFunc answers one operation from its raw request body.
type handlerFunc func(s *Server, body []byte) (any, error)

// handle adapts a typed handler: it decodes the body into Req.
func handle[Req, Resp any](fn func(*Server, *Req) (*Resp, error)) handlerFunc {
	return func(s *Server, body []byte) (any, error) {
		var req Req
		if err := protocol.DecodeJSON(body, &req); err != nil {
			return nil, err
		}
		return fn(s, &req)
	}
}

// operation is one entry of the dispatch table.
type operation struct {
	svc  *service
	name string
	// method and path route REST-JSON operations.
	method, path string
	handle       handlerFunc
}

func (op *operation) key() string { return op.svc.signingName + "." + op.name }

// dispatch is the sandbox's one table of operations. Adding an API area is
// adding its rows here and its handlers in a file of their own.
var dispatch = []*operation{
	// SSM: nodes (nodes.go)
	{svc: svcSSM, name: "DescribeInstanceInformation", handle: handle((*Server).describeInstanceInformation)},
	{svc: svcSSM, name: "GetConnectionStatus", handle: handle((*Server).getConnectionStatus)},
	{svc: svcSSM, name: "AddTagsToResource", handle: handle((*Server).addTagsToResource)},
	{svc: svcSSM, name: "RemoveTagsFromResource", handle: handle((*Server).removeTagsFromResource)},
	{svc: svcSSM, name: "ListTagsForResource", handle: handle((*Server).listTagsForResource)},
	// SSM: Run Command (commands.go, agent.go)
	{svc: svcSSM, name: "SendCommand", handle: handle((*Server).sendCommand)},
	{svc: svcSSM, name: "ListCommands", handle: handle((*Server).listCommands)},
	{svc: svcSSM, name: "ListCommandInvocations", handle: handle((*Server).listCommandInvocations)},
	{svc: svcSSM, name: "GetCommandInvocation", handle: handle((*Server).getCommandInvocation)},
	{svc: svcSSM, name: "CancelCommand", handle: handle((*Server).cancelCommand)},
	// SSM: Parameter Store (params.go)
	{svc: svcSSM, name: "PutParameter", handle: handle((*Server).putParameter)},
	{svc: svcSSM, name: "GetParameter", handle: handle((*Server).getParameter)},
	{svc: svcSSM, name: "GetParameters", handle: handle((*Server).getParameters)},
	{svc: svcSSM, name: "GetParametersByPath", handle: handle((*Server).getParametersByPath)},
	{svc: svcSSM, name: "DescribeParameters", handle: handle((*Server).describeParameters)},
	{svc: svcSSM, name: "GetParameterHistory", handle: handle((*Server).getParameterHistory)},
	{svc: svcSSM, name: "LabelParameterVersion", handle: handle((*Server).labelParameterVersion)},
	{svc: svcSSM, name: "UnlabelParameterVersion", handle: handle((*Server).unlabelParameterVersion)},
	{svc: svcSSM, name: "DeleteParameter", handle: handle((*Server).deleteParameter)},
	{svc: svcSSM, name: "DeleteParameters", handle: handle((*Server).deleteParameters)},
	// SSM: documents (documents.go)
	{svc: svcSSM, name: "CreateDocument", handle: handle((*Server).createDocument)},
	{svc: svcSSM, name: "UpdateDocument", handle: handle((*Server).updateDocument)},
	{svc: svcSSM, name: "DeleteDocument", handle: handle((*Server).deleteDocument)},
	{svc: svcSSM, name: "DescribeDocument", handle: handle((*Server).describeDocument)},
	{svc: svcSSM, name: "GetDocument", handle: handle((*Server).getDocument)},
	{svc: svcSSM, name: "ListDocuments", handle: handle((*Server).listDocuments)},
	{svc: svcSSM, name: "ListDocumentVersions", handle: handle((*Server).listDocumentVersions)},
	{svc: svcSSM, name: "UpdateDocumentDefaultVersion", handle: handle((*Server).updateDocumentDefaultVersion)},
	// SSM: Session Manager (sessions.go, datachannel.go, session_agent.go)
	{svc: svcSSM, name: "StartSession", handle: handle((*Server).startSession)},
	{svc: svcSSM, name: "ResumeSession", handle: handle((*Server).resumeSession)},
	{svc: svcSSM, name: "TerminateSession", handle: handle((*Server).terminateSession)},
	{svc: svcSSM, name: "DescribeSessions", handle: handle((*Server).describeSessions)},
	// Resource Groups Tagging API and Resource Groups (tagging.go)
	{svc: svcTagging, name: "GetResources", handle: handle((*Server).getResources)},
	{svc: svcResourceGroups, name: "ListGroupResources", method: http.MethodPost, path: "/list-group-resources", handle: handle((*Server).listGroupResources)},
}

var (
	byTarget = map[string]*operation{} // "AmazonSSM.DescribeInstanceInformation"
	byPath   = map[string]*operation{} // "POST /list-group-resources"
)

func init() {
	for _, op := range dispatch {
		if op.svc.protocol == protocol.RESTJSON {
			byPath[op.method+" "+op.path] = op
		} else {
			byTarget[op.svc.targetPrefix+"."+op.name] = op
		}
	}
}

// route finds the service and operation a request is for. svc is nil when
// not even the service is known; op is nil for an unknown operation.
func route(r *http.Request) (svc *service, op *operation) {
	if target := r.Header.Get("X-Amz-Target"); target != "" && r.URL.Path == "/" {
		prefix, _, _ := strings.Cut(target, ".")
		for _, sv := range services {
			if sv.targetPrefix == prefix {
				svc = sv
			}
		}
		return svc, byTarget[target]
	}
	if op := byPath[r.Method+" "+r.URL.Path]; op != nil {
		return op.svc, op
	}
	return nil, nil
}

// maxBody bounds a request body; AWS's own limits are far lower.
const maxBody = 16 << 20

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		s.serveControl(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/v1/data-channel/") {
		s.serveDataChannel(w, r)
		return
	}
	start := time.Now()
	svc, op := route(r)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var resp any
	var aerr *protocol.APIError
	throttled := false
	switch {
	case err != nil:
		aerr = protocol.ErrSerialization("The request body could not be read.")
	default:
		signingName := ""
		if svc != nil {
			signingName = svc.signingName
		}
		aerr = s.verifier.Authenticate(r, body, signingName)
	}
	if aerr == nil && op == nil {
		aerr = protocol.ErrUnknownOperation()
	}
	if aerr == nil && s.opts.Latency > 0 {
		select {
		case <-time.After(s.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	if aerr == nil && !s.quotas.allow(op.key()) {
		e := op.svc.throttle
		aerr, throttled = &e, true
	}
	if aerr == nil {
		switch s.faults.draw(op.key()) {
		case "throttle":
			e := op.svc.throttle
			aerr, throttled = &e, true
		case "error":
			e := op.svc.internal
			aerr = &e
		}
	}
	if aerr == nil {
		var herr error
		resp, herr = op.handle(s, body)
		if herr != nil {
			if !errors.As(herr, &aerr) {
				s.logf("sandbox: %s: internal error: %v", op.key(), herr)
				e := op.svc.internal
				aerr = &e
			}
		}
	}
	if aerr != nil && svc != nil && aerr.Type == "ValidationException" && svc.validationError != aerr.Type {
		aerr = &protocol.APIError{Status: aerr.Status, Type: svc.validationError, Message: aerr.Message}
	}

	// Stats are recorded before the answer goes out, so a client that has
	// its answer always finds the call counted.
	key, name := "", "unknown operation"
	if op != nil {
		key, name = op.key(), op.key()
	}
	d := time.Since(start)
	s.stats.record(key, d, aerr != nil, throttled)

	proto := protocol.JSON11
	if svc != nil {
		proto = svc.protocol
	}
	if aerr != nil {
		protocol.WriteError(w, proto, aerr)
	} else {
		protocol.WriteJSON(w, proto, http.StatusOK, resp)
	}
	if aerr != nil {
		s.logf("sandbox: %s %d %s %s", name, aerr.Status, aerr.Type, d.Round(time.Microsecond))
	} else {
		s.logf("sandbox: %s 200 %s", name, d.Round(time.Microsecond))
	}
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
