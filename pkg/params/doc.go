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
// throttling and speeds up again on success. No write is made twice: after
// a failure that may have landed (awsretry.Classify), the parameter is read
// back and a version after the one the write replaces (Put.PrevVersion; 0
// for a create) holding its value means it landed. New parameters are
// created with Overwrite=false, so a create that meets
// ParameterAlreadyExists is verified the same way. A circuit breaker
// (awsretry.Breaker) fails the rest of a bulk run at once when the endpoint
// stops answering.
package params
