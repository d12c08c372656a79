// Package sandbox is a local emulator of the AWS APIs ssmctl uses, with
// simulated managed nodes, that the AWS CLI and the AWS SDKs work against
// unchanged. It listens on loopback only.
//
// It speaks AWS's wire protocols: JSON 1.1 (POST /, X-Amz-Target) for SSM
// ("AmazonSSM.<Op>"), Secrets Manager ("secretsmanager.<Op>", the
// internal/secrets area) and the Resource Groups Tagging API
// ("ResourceGroupsTaggingAPI_20170126.<Op>"), REST-JSON for Resource
// Groups (POST /list-group-resources), and the Session Manager data
// channel (WebSocket) under /v1/data-channel/. Every API request must be
// SigV4-signed with the sandbox's credentials for its region and the
// service's signing name (ssm, secretsmanager, tagging, resource-groups).
// A sandbox may serve several accounts and Regions (Options.Locations):
// each location has its own host, router and areas, and a request goes to
// the location of its access key's account and its credential scope's
// Region (locations.go).
// Errors carry AWS's exception names in "__type" and X-Amzn-ErrorType;
// timestamps are epoch seconds; validation rules, limits and error names
// are taken from the services' botocore models. An operation the sandbox
// does not implement is answered 400 UnknownOperationException.
//
// Implemented so far:
//
//   - managed nodes: DescribeInstanceInformation, GetConnectionStatus
//   - tags: AddTagsToResource, RemoveTagsFromResource, ListTagsForResource
//     (ManagedInstance, Parameter); GetResources; ListGroupResources
//   - documents: CreateDocument, UpdateDocument, DeleteDocument,
//     DescribeDocument, GetDocument, ListDocuments, ListDocumentVersions,
//     UpdateDocumentDefaultVersion (Command and Session documents, the
//     AWS-owned ones built in)
//   - Run Command: SendCommand, ListCommands, ListCommandInvocations,
//     GetCommandInvocation, CancelCommand
//   - Parameter Store: PutParameter, GetParameter, GetParameters,
//     GetParametersByPath, DescribeParameters, GetParameterHistory,
//     LabelParameterVersion, UnlabelParameterVersion, DeleteParameter,
//     DeleteParameters (SecureStrings sealed with the sandbox's KMS keys)
//   - Session Manager: StartSession, ResumeSession, TerminateSession,
//     DescribeSessions and the data channel (shells in a PTY, commands,
//     port forwarding, SSH)
//   - hybrid activations: CreateActivation, DescribeActivations,
//     DeleteActivation, DeregisterManagedInstance, the agent's
//     RegisterManagedInstance; GetServiceSetting, UpdateServiceSetting,
//     ResetServiceSetting (docs/sandbox-activations.md)
//
// Nodes really execute: a simulated SSM Agent runs aws:runShellScript steps
// with /bin/sh in a per-node working directory (under a temporary directory
// removed at Close), each script in its own process group that is killed
// on the execution timeout or CancelCommand; it honours MaxConcurrency,
// MaxErrors, delivery timeouts, node latency and ping status, and exit 194
// (3010 on Windows) as a reboot request. Windows nodes run
// aws:runPowerShellScript with /bin/sh as a stand-in. Options.InvocationDelay,
// RebootDelay and TimeoutScale make the timing fast for tests.
// docs/sandbox-run-command.md, docs/sandbox-parameters.md and
// docs/sandbox-sessions.md describe what is emulated and the decisions
// taken, with their sources.
//
// Two endpoints are the sandbox's own (unsigned, never faulted, not counted):
//
//	GET  /_sandbox/stats        per-operation statistics (Stats) as JSON
//	POST /_sandbox/stats/reset  zero them
//
// Statistics are keyed "<signing name>.<Operation>", e.g.
// "ssm.DescribeInstanceInformation", "tagging.GetResources",
// "resource-groups.ListGroupResources", because operation names alone
// collide across services:
//
//	{"operations": {"ssm.DescribeInstanceInformation": {"in_flight": 0, "calls": 20, "errors": 1,
//	  "throttled": 1, "latency_ms": {"total": 12.5, "max": 2.1, "mean": 0.6}}},
//	 "total_calls": 21, "unknown_operations": 0}
//
// # Layout
//
// This package is the public face; everything else is internal:
//
//	server.go     Options, New, Server (listener, Close, Env, Stats, ...)
//	areas.go      the one list of service areas, opened in dependency order
//	testing.go    Start, AWSConfig and EchoServer (a port map destination) for Go tests
//	internal/protocol   the wire: JSON decoding, answers and AWS error values,
//	              SigV4, epoch timestamps, page tokens, the models' validation,
//	              the data channel's message framing and handshake payloads
//	internal/router     the service and operation table, dispatch, stats,
//	              faults, quotas
//	internal/store      the state file: per-area sections, atomic save
//	internal/area       what an area gets: region, account, clock, log,
//	              router, store, closers (Host)
//	internal/tags       the tag rules and wire shapes several areas share
//	internal/nodes      fleet (YAML, default, generated), node state, node
//	              directories, DescribeInstanceInformation, GetConnectionStatus
//	internal/documents  every document type: the AWS-owned catalogue, the
//	              account's documents, parsing, parameters
//	internal/commands   Run Command and the agent's delivery and step runner
//	internal/params     Parameter Store and the KMS keys
//	internal/tagging    the SSM tag operations, GetResources, ListGroupResources
//	internal/sessions   Session Manager: the session operations and history,
//	              the data channel (sessions.go, datachannel.go), the agent's
//	              session side (agent.go: shells in a PTY, one-shot commands,
//	              pacing) and port forwarding (port.go)
//
// Each area owns its state behind its own lock (a store.Section), loads
// its members of the state file at New, registers its operations with the
// router and reaches other areas only through their exported functions.
//
// # Locks
//
// The lock order is: an area's section lock, then the store's lock;
// nothing else nests. An area never calls another area while it holds its
// own lock: it asks the other area first (documents.Find, nodes.All and
// nodes.Get hand out copies or immutable parsed content) and takes its
// own lock after, so no two area locks are ever held together. The store
// never calls back into an area: sections hand it their encoded members.
// The data channel (internal/sessions) admits WebSockets under the
// session registry's lock and none once Close has begun
// (sessionRegistry.enter), so Close's Wait never races an Add.
//
// # State file
//
// With Options.StatePath the state is saved after every change (before the
// operation answers) and at Close, atomically (temporary file, fsync,
// rename, mode 0600). The file is one JSON object: "version" (1) and one
// member per area section: "nodes", "documents", "commands", "parameters",
// "kmsKeys", "sessions". Members no area claims are kept as they are.
//
// # A new sandbox service
//
// A new service is a new package under internal/ and one line in
// areas.go; nothing else changes:
//
//   - internal/<area>/area.go: the package comment (what it owns), an Area
//     struct holding the *area.Host, its *store.Section and its state, and
//     New(h *area.Host, <areas it uses>...) (*Area, error), which loads its
//     members with h.Store.Load("<key>", &field) (when h.Store.Loaded(),
//     the file wins over defaults), makes its section with
//     h.Section(func() []store.Member {...}), registers each operation with
//     h.Router.Register(router.SSM, "<Operation>", router.Handle(a.op))
//     (a service of its own is a *router.Service declared in the area),
//     and hands Close work to h.OnClose.
//   - internal/<area>/<area>.go: request and response types with AWS's
//     wire names, and the handlers: validate with protocol.Validator, read
//     under a.sec.View, change under a.sec.Mutate (which saves the file
//     before the handler answers); errors are *protocol.APIError.
//   - areas.go: one line in openAreas, after the areas it uses.
//   - Tests: behaviour through the SDK or the AWS CLI in this package
//     (Start(t, Options{...}), ssmClient, awsCLI); tests of an area's
//     internals in the area's package, with a Host built from
//     router.New(router.Config{}) and store.Open("", nil).
package sandbox
