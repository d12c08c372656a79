// Package runcmd owns Run Command: it resolves targets, picks and checks
// the document, sends the command (as Targets, or as node IDs in batches of
// 50), waits for every node's result, fetches output that was cut, cancels,
// and maps statuses to exit codes. It also reads Command documents.
//
// # Sending
//
// Tag and resource-group specs, when they are all the specs and at most 5,
// go to AWS as SendCommand Targets ("tag:Key" with values,
// "resource-groups:Name"), so AWS resolves them without a client-side
// limit. Anything else (IDs, names, globs, or a mix) is resolved here and
// sent as InstanceIds, 50 per SendCommand (the API limit); the commands of
// one run are waited for and reported as one. The targets are resolved
// client-side in every case (one DescribeInstanceInformation listing for tag
// specs), which tells the platforms, finds targets that match nothing
// before anything is sent, and gives the spinner a total.
//
// # Waiting
//
// Wait polls ListCommandInvocations (Details, 50 per page) with an interval
// that starts at 250 ms and doubles while nothing changes, up to 5 s. Each
// plugin's Output there is the SSM Agent's 2,500-character digest: stdout,
// then "\n----------ERROR-------\n" and stderr, each cut stream ending in a
// truncation marker. Only for a cut stream is GetCommandInvocation called,
// which returns up to 24,000 characters of stdout and 8,000 of stderr.
// "No such command" and InvocationDoesNotExist within 30 s of sending mean
// "not yet". Every read of a wait retries passing failures (awsretry) until
// the run's deadline, each call with its own timeout: 2 minutes after the
// command's own timeouts (delivery plus execution) have passed, or 10 s
// after them when AWS has not answered since. Giving up exits 124 naming
// the command IDs.
//
// # Exactly once
//
// SendCommand is never resent blindly: each send is marked in its Comment
// (ssmctl:<run>.<batch>) and, after a failure that may have landed, looked
// up by its mark before it is sent again (exactly.go,
// docs/reliability.md). An interrupt while sending lets the send under way
// finish and returns the run so far for Interrupt to cancel.
//
// # Exit codes
//
// See Invocation.ExitCode and ExitCode: one invocation passes its remote
// exit code through; several aggregate 1 > 124 > 194 > 0.
package runcmd
