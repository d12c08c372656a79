// Package router is the sandbox's table of services and operations: the
// service areas register their operations here, and the router answers
// every API call (authentication, latency, quotas, faults, the handler,
// the error shape, statistics).
package router

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Service is one AWS API the sandbox speaks.
type Service struct {
	SigningName  string // SigV4 scope service name; also the stats key prefix
	TargetPrefix string // X-Amz-Target prefix (JSON 1.1 only)
	Protocol     protocol.Protocol
	// The service's own throttling and internal errors, from its model
	// (SSM's model lists no throttling error; AWS answers the common
	// ThrottlingException "Rate exceeded").
	Throttle, Internal protocol.APIError
	// ValidationError is the exception for model constraint violations.
	ValidationError string
	// UnknownKey, when set, replaces UnrecognizedClientException for an
	// access key the service does not know (STS: InvalidClientTokenId).
	UnknownKey *protocol.APIError
}

// The services more than one area serves, or that no area serves yet
// (requests signed for them are answered UnknownOperationException).
var (
	SSM = &Service{
		SigningName: "ssm", TargetPrefix: "AmazonSSM", Protocol: protocol.JSON11,
		Throttle:        protocol.APIError{Status: 400, Type: "ThrottlingException", Message: "Rate exceeded"},
		Internal:        protocol.APIError{Status: 500, Type: "InternalServerError", Message: "An error occurred on the server side."},
		ValidationError: "ValidationException",
	}
	SecretsManager = &Service{
		SigningName: "secretsmanager", TargetPrefix: "secretsmanager", Protocol: protocol.JSON11,
		Throttle:        protocol.APIError{Status: 400, Type: "ThrottlingException", Message: "Rate exceeded"},
		Internal:        protocol.APIError{Status: 500, Type: "InternalServiceError", Message: "An error occurred on the server side."},
		ValidationError: "ValidationException",
	}
)

// Handler answers one operation from its raw request body.
type Handler func(body []byte) (any, error)

// Handle adapts a typed handler: it decodes the body into Req.
func Handle[Req, Resp any](fn func(*Req) (*Resp, error)) Handler {
	return func(body []byte) (any, error) {
		var req Req
		if err := protocol.DecodeJSON(body, &req); err != nil {
			return nil, err
		}
		return fn(&req)
	}
}

// Operation is one entry of the table.
type Operation struct {
	Service *Service
	Name    string
	// Method and Path route REST-JSON operations.
	Method, Path string
	Handler      Handler
}

// Key names the operation in statistics and quotas: "ssm.SendCommand".
func (op *Operation) Key() string { return op.Service.SigningName + "." + op.Name }

// Config is what the router needs besides its table.
type Config struct {
	Verifier *protocol.Verifier
	Faults   Faults
	Seed     int64
	// Latency is added to every API call after authentication.
	Latency time.Duration
	// BodyTimeout is how long a client has to send a request's body;
	// default DefaultBodyTimeout.
	BodyTimeout time.Duration
	Logf        func(format string, args ...any)
}

// Router routes API calls to the operations the areas registered.
type Router struct {
	cfg    Config
	stats  *statsRecorder
	faults *faultInjector
	quotas *quotaLimiter

	mu       sync.RWMutex // guards the table; written while the areas register
	services []*Service
	ops      []*Operation
	byTarget map[string]*Operation // "AmazonSSM.DescribeInstanceInformation"
	byPath   map[string]*Operation // "POST /list-group-resources"
	streams  map[string]http.Handler

	// stopping is closed by Stop: calls held by the stall fault end.
	// Siblings share it, with the statistics and the faults.
	stopping chan struct{}
	stopOnce *sync.Once
}

// New makes a router that knows SSM and Secrets Manager and has no
// operations yet.
func New(cfg Config) *Router {
	return &Router{
		cfg:      cfg,
		stats:    newStatsRecorder(),
		faults:   newFaultInjector(cfg.Faults, cfg.Seed),
		services: []*Service{SSM, SecretsManager},
		byTarget: map[string]*Operation{},
		byPath:   map[string]*Operation{},
		streams:  map[string]http.Handler{},
		stopping: make(chan struct{}),
		stopOnce: new(sync.Once),
	}
}

// Sibling is a router with a table of its own, for another account and
// Region the sandbox serves, authenticating with v: it shares r's
// statistics, faults (their seeded draws and their operations), latency
// and stopping. Quotas are per router (AWS's are per account and Region):
// SetQuotas each.
func (r *Router) Sibling(v *protocol.Verifier) *Router {
	cfg := r.cfg
	cfg.Verifier = v
	return &Router{
		cfg:      cfg,
		stats:    r.stats,
		faults:   r.faults,
		services: []*Service{SSM, SecretsManager},
		byTarget: map[string]*Operation{},
		byPath:   map[string]*Operation{},
		streams:  map[string]http.Handler{},
		stopping: r.stopping,
		stopOnce: r.stopOnce,
	}
}

// Stop ends the calls the stall fault holds (their connections are closed
// without an answer), so the server can shut down; call it when closing.
func (r *Router) Stop() {
	r.stopOnce.Do(func() { close(r.stopping) })
}

func (r *Router) addService(svc *Service) {
	for _, s := range r.services {
		if s == svc {
			return
		}
	}
	r.services = append(r.services, svc)
}

// Register adds a JSON 1.1 operation of svc.
func (r *Router) Register(svc *Service, name string, h Handler) {
	r.add(&Operation{Service: svc, Name: name, Handler: h})
}

// RegisterREST adds a REST-JSON operation of svc, routed by method and
// path.
func (r *Router) RegisterREST(svc *Service, name, method, path string, h Handler) {
	r.add(&Operation{Service: svc, Name: name, Method: method, Path: path, Handler: h})
}

func (r *Router) add(op *Operation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addService(op.Service)
	r.ops = append(r.ops, op)
	if op.Service.Protocol != protocol.JSON11 { // REST-JSON and Query (STS)
		r.byPath[op.Method+" "+op.Path] = op
	} else {
		r.byTarget[op.Service.TargetPrefix+"."+op.Name] = op
	}
}

// RegisterStream serves every request under the path prefix with h, as
// is: for protocols that are not API calls (the Session Manager data
// channel). Such requests are not counted, faulted or signed-checked here.
func (r *Router) RegisterStream(prefix string, h http.Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streams[prefix] = h
}

// Stream finds the stream handler for a path, or nil.
func (r *Router) Stream(path string) http.Handler {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for prefix, h := range r.streams {
		if strings.HasPrefix(path, prefix) {
			return h
		}
	}
	return nil
}

// KnownSigningName says whether name is one of the sandbox's services.
func (r *Router) KnownSigningName(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, svc := range r.services {
		if svc.SigningName == name {
			return true
		}
	}
	return false
}

// route finds the service and operation a request is for. svc is nil when
// not even the service is known; op is nil for an unknown operation.
func (r *Router) route(req *http.Request) (svc *Service, op *Operation) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if target := req.Header.Get("X-Amz-Target"); target != "" && req.URL.Path == "/" {
		prefix, _, _ := strings.Cut(target, ".")
		for _, sv := range r.services {
			if sv.TargetPrefix == prefix {
				svc = sv
			}
		}
		return svc, r.byTarget[target]
	}
	if op := r.byPath[req.Method+" "+req.URL.Path]; op != nil {
		// A Query call (STS) is a form; a JSON call without its target
		// is no call of a Query service.
		if op.Service.Protocol == protocol.Query && !strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			return nil, nil
		}
		return op.Service, op
	}
	return nil, nil
}

// MaxBody bounds a request body. The largest requests AWS accepts for the
// operations the sandbox serves are a document of 64 KB (CreateDocument,
// UpdateDocument; SendCommand's parameters count against the same 64 KB)
// and a secret of 64 KB (65,536 bytes of SecretString, or SecretBinary's
// 87,384 in base64): in JSON, escaping can make 64 KB at most six times
// larger (\u00XX), 384 KB. 1 MiB holds any of them with room to spare,
// and 60 concurrent oversized requests cost 60 MiB, not a gigabyte.
// docs/sandbox.md gives the reasoning.
const MaxBody = 1 << 20

// DefaultBodyTimeout is how long a client has to send a request's body
// once its headers arrived; then the call is answered 408 and the
// connection closed, so slow senders do not hold connections.
const DefaultBodyTimeout = 10 * time.Second

// readBody reads a request's body within MaxBody and the body timeout. An
// oversized body is answered 413 (at once when Content-Length says so), a
// body that does not arrive in time 408.
func (r *Router) readBody(w http.ResponseWriter, req *http.Request) ([]byte, *protocol.APIError) {
	tooLarge := protocol.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
		"Request must be smaller than %d bytes.", MaxBody)
	if req.ContentLength > MaxBody {
		return nil, tooLarge
	}
	timeout := r.cfg.BodyTimeout
	if timeout <= 0 {
		timeout = DefaultBodyTimeout
	}
	// A ResponseWriter that is not a connection's (in tests) has no
	// deadline; the body is then read as is.
	rc := http.NewResponseController(w)
	deadline := rc.SetReadDeadline(time.Now().Add(timeout)) == nil
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxBody))
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case err == nil:
		if deadline {
			// The handler may take its time; the next request's headers
			// get the server's own deadline.
			rc.SetReadDeadline(time.Time{})
		}
		return body, nil
	case errors.As(err, &tooBig):
		return nil, tooLarge
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		// The connection cannot be used again: the rest of the body may
		// still come. The deadline, now past, stays, so the server does
		// not wait for that rest before closing.
		w.Header().Set("Connection", "close")
		return nil, protocol.Errorf(http.StatusRequestTimeout, "RequestTimeoutException",
			"The request body was not received within %s.", timeout)
	}
	return nil, protocol.ErrSerialization("The request body could not be read.")
}

// ServeHTTP answers one API call.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	svc, op := r.route(req)
	if op != nil {
		r.stats.begin(op.Key())
		defer r.stats.end(op.Key())
	}
	body, aerr := r.readBody(w, req)
	var resp any
	throttled := false
	if aerr == nil {
		signingName := ""
		if svc != nil {
			signingName = svc.SigningName
		}
		aerr = r.cfg.Verifier.Authenticate(req, body, signingName)
		if aerr != nil && svc != nil && svc.UnknownKey != nil && aerr.Type == "UnrecognizedClientException" {
			e := *svc.UnknownKey
			aerr = &e
		}
	}
	if aerr == nil && op == nil {
		aerr = protocol.ErrUnknownOperation()
	}
	if aerr == nil && r.cfg.Latency > 0 {
		select {
		case <-time.After(r.cfg.Latency):
		case <-req.Context().Done():
			return
		}
	}
	if aerr == nil && !r.quotas.allow(op.Key()) {
		e := op.Service.Throttle
		aerr, throttled = &e, true
	}
	if aerr == nil {
		switch r.faults.draw(op.Key()) {
		case "throttle":
			e := op.Service.Throttle
			aerr, throttled = &e, true
		case "error":
			e := op.Service.Internal
			aerr = &e
		}
	}
	if aerr == nil {
		if d, ok := r.faults.drawStall(op.Key()); ok {
			r.stats.stalled(op.Key())
			r.logf("sandbox: %s stalled for %s", op.Key(), d)
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-req.Context().Done():
				t.Stop()
				return
			case <-r.stopping:
				// The sandbox is closing: the connection goes down
				// without an answer, as a stopped server's would.
				t.Stop()
				if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
					conn.Close()
				}
				return
			}
		}
	}
	lost := ""
	if aerr == nil {
		var herr error
		resp, herr = op.Handler(body)
		lost = r.faults.drawLostReply(op.Key())
		if herr != nil {
			if !errors.As(herr, &aerr) {
				r.logf("sandbox: %s: internal error: %v", op.Key(), herr)
				e := op.Service.Internal
				aerr = &e
			}
		}
	}
	if aerr != nil && svc != nil && aerr.Type == "ValidationException" && svc.ValidationError != aerr.Type {
		aerr = &protocol.APIError{Status: aerr.Status, Type: svc.ValidationError, Message: aerr.Message}
	}

	// Stats are recorded before the answer goes out, so a client that has
	// its answer always finds the call counted.
	key, name := "", "unknown operation"
	if op != nil {
		key, name = op.Key(), op.Key()
	}
	d := time.Since(start)
	r.stats.record(key, d, aerr != nil || lost != "", throttled, lost != "")
	if lost != "" {
		r.loseReply(w, op, lost, d)
		return
	}

	proto := protocol.JSON11
	if svc != nil {
		proto = svc.Protocol
	}
	if aerr != nil {
		protocol.WriteError(w, proto, aerr)
	} else {
		protocol.WriteJSON(w, proto, http.StatusOK, resp)
	}
	if aerr != nil {
		r.logf("sandbox: %s %d %s %s", name, aerr.Status, aerr.Type, d.Round(time.Microsecond))
	} else {
		r.logf("sandbox: %s 200 %s", name, d.Round(time.Microsecond))
	}
}

// loseReply answers a call that was carried out as if its answer had
// been lost on the way: with the service's internal error, or by closing
// the connection without an answer.
func (r *Router) loseReply(w http.ResponseWriter, op *Operation, how string, d time.Duration) {
	if how == LostReplyAsClose {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
			r.logf("sandbox: %s carried out, connection closed without an answer (lost reply) %s", op.Key(), d.Round(time.Microsecond))
			return
		}
		// A connection that cannot be hijacked (HTTP/2) gets the error.
	}
	e := op.Service.Internal
	protocol.WriteError(w, op.Service.Protocol, &e)
	r.logf("sandbox: %s carried out, answered %d %s (lost reply) %s", op.Key(), e.Status, e.Type, d.Round(time.Microsecond))
}

func (r *Router) logf(format string, args ...any) {
	if r.cfg.Logf != nil {
		r.cfg.Logf(format, args...)
	}
}

// Stats returns a copy of the per-operation statistics.
func (r *Router) Stats() Stats { return r.stats.snapshot() }

// ResetStats zeroes the statistics.
func (r *Router) ResetStats() { r.stats.reset() }

// DrawWSDrop decides whether the next session output frame drops its
// WebSocket (Faults.WSDrop).
func (r *Router) DrawWSDrop() bool { return r.faults.drawWSDrop() }

// DrawRotationFail decides whether the secret rotation being performed
// fails (Faults.RotationFail).
func (r *Router) DrawRotationFail() bool { return r.faults.drawRotationFail() }

// WSCloseEvery is how long a data channel WebSocket lives before the
// sandbox closes it (Faults.WSCloseEvery; 0: never).
func (r *Router) WSCloseEvery() time.Duration { return r.faults.faults.WSCloseEvery }

// SetQuotas resolves the quotas against the registered operations; call
// it once every area has registered.
func (r *Router) SetQuotas(q Quotas) error {
	l, err := r.newQuotaLimiter(q)
	if err != nil {
		return err
	}
	r.quotas = l
	return nil
}
