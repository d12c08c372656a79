// Package sandbox is a local emulator of the AWS APIs ssmctl uses, with
// simulated managed nodes, that the AWS CLI and the AWS SDKs work against
// unchanged. It listens on loopback only.
//
// It speaks AWS's wire protocols: JSON 1.1 (POST /, X-Amz-Target) for SSM
// ("AmazonSSM.<Op>"), Secrets Manager ("secretsmanager.<Op>", no operations
// yet) and the Resource Groups Tagging API
// ("ResourceGroupsTaggingAPI_20170126.<Op>"), and REST-JSON for Resource
// Groups (POST /list-group-resources). Every API request must be SigV4-signed
// with the sandbox's credentials for its region and the service's signing
// name (ssm, secretsmanager, tagging, resource-groups). Errors carry AWS's
// exception names in "__type" and X-Amzn-ErrorType; timestamps are epoch
// seconds; validation rules, limits and error names are taken from the
// services' botocore models. An operation the sandbox does not implement is
// answered 400 UnknownOperationException.
//
// Implemented so far: DescribeInstanceInformation, GetConnectionStatus,
// AddTagsToResource / RemoveTagsFromResource / ListTagsForResource (for
// ManagedInstance), GetResources and ListGroupResources; Run Command
// (SendCommand, ListCommands, ListCommandInvocations, GetCommandInvocation,
// CancelCommand) and documents (CreateDocument, UpdateDocument,
// DeleteDocument, DescribeDocument, GetDocument, ListDocuments,
// ListDocumentVersions, UpdateDocumentDefaultVersion).
//
// Nodes really execute: a simulated SSM Agent runs aws:runShellScript steps
// with /bin/sh in a per-node working directory (under a temporary directory
// removed at Close), each script in its own process group that is killed
// on the execution timeout or CancelCommand; it honours MaxConcurrency,
// MaxErrors, delivery timeouts, node latency and ping status, and exit 194
// (3010 on Windows) as a reboot request. Windows nodes run
// aws:runPowerShellScript with /bin/sh as a stand-in. Options.InvocationDelay,
// RebootDelay and TimeoutScale make the timing fast for tests. docs/sandbox-run-command.md
// describes what is emulated and the decisions taken, with their sources.
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
//	{"operations": {"ssm.DescribeInstanceInformation": {"calls": 20, "errors": 1,
//	  "throttled": 1, "latency_ms": {"total": 12.5, "max": 2.1, "mean": 0.6}}},
//	 "total_calls": 21, "unknown_operations": 0}
//
// Files:
//
//	server.go   Options, Server, listener, the dispatch table, routing, errors out
//	sigv4.go    SigV4 verification and AWS's authentication errors
//	wire.go     JSON decoding, protocol.APIError, epoch timestamps, page tokens, validation
//	faults.go   fault injection (Faults, ParseFault)
//	stats.go    per-operation statistics
//	fleet.go    the fleet: YAML format (docs/sandbox.md), DefaultFleet, GenerateFleet
//	state.go    the mutable state and its atomic persistence
//	nodes.go    SSM managed-node APIs
//	documents.go SSM documents: the AWS-owned ones, parsing, parameters
//	commands.go Run Command APIs, command and invocation statuses
//	agent.go    the simulated agent: scheduling, execution, truncation
//	tagging.go  Resource Groups Tagging API and Resource Groups
//	testing.go  Start and AWSConfig for Go tests
//
// A new API area adds its rows to the dispatch table in server.go, its
// handlers in a file of its own, and its fields to state.
package sandbox
