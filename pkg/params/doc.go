// Package params owns Parameter Store: names, selectors and the rules AWS
// applies to them, reads (batched GetParameters, paginated listings),
// writes, labels, deletes in batches of 10, and bulk work (import, copy,
// delete) paced by an adaptive client-side rate limiter so that throttling
// never fails a run and no write is lost or made twice.
//
// # Bulk writes
//
// A bulk run writes with a bounded number of requests in flight, each
// request first taking a turn from a Limiter. The SDK's own retries are
// switched off for these calls (they would spend the retry quota and hide
// throttling from the limiter); this package retries throttling and
// transient errors itself, telling the limiter, which slows down on
// throttling and speeds up again on success. New parameters are created
// with Overwrite=false: a create whose earlier attempt may have landed
// comes back ParameterAlreadyExists and is then verified by reading the
// value back, so it is neither counted as a failure nor written twice.
package params
