// Package message is what a stage's logic sees of the broker: a batch of
// messages, each a plain value (its bytes, when it was stored, how often it
// was delivered), on which the logic emits each message's output or marks
// it failed, as a Benthos processor's ProcessBatch does. It imports nothing
// of NATS, so a stage's handler is tested on plain values, without a
// server; package bus turns JetStream messages into a Batch and back.
package message

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// Msg is one message of a batch, as a handler sees it.
type Msg struct {
	// Data is the message's payload.
	Data []byte
	// Stored is when JetStream stored the message in its stream: the start
	// of the latency a stage reports. Zero when not known.
	Stored time.Time
	// Delivered is how often the message has been delivered, this time
	// included: 1 on the first delivery.
	Delivered uint64
	// StreamSeq is the message's sequence in its stream, 0 when not known.
	StreamSeq uint64
}

// Out is a message a handler wants published before its input is acked.
type Out struct {
	Subject string
	Data    []byte
	// MsgID is the Nats-Msg-Id: the same for every redelivery of the same
	// input, so JetStream drops the duplicates (see the builders in package
	// events).
	MsgID string
}

// Batch is the group of messages handed to a Handler at once. For each
// message the handler either emits what it produces (Emit) or marks it
// failed (Fail). A message is acked once JetStream has stored everything it
// emitted; a message's failure, or the failure to publish one of its
// outputs, fails that message only.
type Batch struct {
	Msgs []Msg
	errs []error
	outs [][]Out
}

// NewBatch returns a batch of msgs.
func NewBatch(msgs ...Msg) *Batch {
	return &Batch{Msgs: msgs, errs: make([]error, len(msgs)), outs: make([][]Out, len(msgs))}
}

// Fail marks message i as failed with err. An err matching events.ErrInvalid
// is permanent: the message is dead-lettered at once. Any other error is
// retried with back-off until the consumer's MaxDeliver, then dead-lettered.
func (b *Batch) Fail(i int, err error) { b.errs[i] = err }

// Emit adds outs to what message i produces.
func (b *Batch) Emit(i int, outs ...Out) { b.outs[i] = append(b.outs[i], outs...) }

// Err returns the error message i was failed with, or nil.
func (b *Batch) Err(i int) error { return b.errs[i] }

// Outs returns what message i emitted.
func (b *Batch) Outs(i int) []Out { return b.outs[i] }

// Handler processes a batch: it emits each message's output or fails it. A
// returned error fails every message of the batch not already failed, and
// nothing is published (a fault of the whole batch, such as the index
// being unwritable).
type Handler func(ctx context.Context, b *Batch) error

// LatencyMS is the latency_ms field of a log line: milliseconds since t,
// with microsecond precision. A zero t gives no field (zap.Skip).
func LatencyMS(t time.Time) zap.Field {
	if t.IsZero() {
		return zap.Skip()
	}
	return zap.Float64("latency_ms", float64(time.Since(t).Microseconds())/1000)
}
