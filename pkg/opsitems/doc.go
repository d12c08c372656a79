// Package opsitems is OpsCenter for ssmctl: creating OpsItems (with
// deduplication strings, and saying when AWS answered with an existing
// one), reading, listing with DescribeOpsItems's filters, updating,
// resolving with a note, related items, and the OpsItem a failed run
// opens. Values are checked before any call, with AWS's rules.
package opsitems
