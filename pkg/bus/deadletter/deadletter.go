// Package deadletter is the DEADLETTER stream: the stages store their dead
// letters with Store; people list them with their reasons, and replay
// chosen ones (republish their original payload to its original subject)
// once the cause is fixed.
package deadletter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/warta-news/warta/pkg/events"
)

// Failed is a message a stage gave up on: what its dead letter records
// (see Store).
type Failed struct {
	Subject string
	Data    []byte
	Header  nats.Header
	// Stream and StreamSeq locate the original message.
	Stream    string
	StreamSeq uint64
	// Deliveries is how often it was delivered.
	Deliveries uint64
}

// Store stores f in the dead-letter stream with the stage and
// reason, under events.DeadLetterMsgID, and reports whether JetStream had already
// stored it (a duplicate). A payload that would not fit in maxPayload bytes
// once base64-encoded is truncated (and marked so); 0 means 1 MiB. It returns
// the publish error if JetStream did not store it within timeout.
func Store(ctx context.Context, js jetstream.Publisher, stage string, f Failed, reason string, maxPayload int64, timeout time.Duration) (duplicate bool, err error) {
	if maxPayload <= 0 {
		maxPayload = 1 << 20
	}
	payload := f.Data
	dl := events.DeadLetter{V: events.Version, Stage: stage, Reason: reason, Subject: f.Subject,
		Deliveries: f.Deliveries, Stream: f.Stream, StreamSeq: f.StreamSeq,
		PayloadBytes: len(payload), FailedAt: time.Now().UTC()}
	if room := int((maxPayload - 16<<10) / 4 * 3); len(payload) > room {
		payload, dl.PayloadTruncated = payload[:max(room, 0)], true
	}
	dl.Payload = payload
	if f.Header != nil {
		dl.MsgID = f.Header.Get(jetstream.MsgIDHeader)
	}
	data, err := events.Marshal(dl)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	msg := nats.NewMsg(events.DeadLetterSubject(stage))
	msg.Data = data
	msg.Header.Set(jetstream.MsgIDHeader, events.DeadLetterMsgID(stage, f.Stream, f.StreamSeq))
	ack, err := js.PublishMsg(ctx, msg)
	if err != nil {
		return false, fmt.Errorf("publish dead letter to %s: %w", msg.Subject, err)
	}
	return ack.Duplicate, nil
}

// ErrTruncated says a dead letter holds only the start of its payload and the
// original is no longer in its stream, so it cannot be replayed.
var ErrTruncated = errors.New("payload truncated in the dead letter")

// ErrNotFound says there is no dead letter at a sequence (of the stage asked for).
var ErrNotFound = errors.New("no such dead letter")

// Entry is one dead letter with where it sits in the DEADLETTER stream.
type Entry struct {
	// Seq is the dead letter's sequence in the DEADLETTER stream: the number
	// to give Replay.
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	events.DeadLetter
}

// Filter selects dead letters.
type Filter struct {
	// Stage keeps the dead letters of one stage ("" = every stage).
	Stage string
	// Limit keeps the most recent Limit dead letters (0 = all).
	Limit int
}

func (f Filter) subject() string {
	if f.Stage == "" {
		return events.SubjectDeadLetterPrefix + ">"
	}
	return events.DeadLetterSubject(f.Stage)
}

// List returns the dead letters f selects, oldest first. A message in the
// stream that is not a dead letter is skipped.
func List(ctx context.Context, js jetstream.StreamManager, f Filter) ([]Entry, error) {
	str, err := js.Stream(ctx, events.StreamDeadLetter)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", events.StreamDeadLetter, err)
	}
	var out []Entry
	for seq := uint64(1); ; {
		raw, err := str.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(f.subject()))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s at %d: %w", events.StreamDeadLetter, seq, err)
		}
		seq = raw.Sequence + 1
		e, err := decode(raw)
		if err != nil {
			continue
		}
		out = append(out, e)
		if f.Limit > 0 && len(out) > f.Limit {
			out = out[1:]
		}
	}
	return out, nil
}

func decode(raw *jetstream.RawStreamMsg) (Entry, error) {
	e := Entry{Seq: raw.Sequence, Time: raw.Time}
	if err := events.Unmarshal(raw.Data, &e.DeadLetter); err != nil {
		return e, fmt.Errorf("dead letter %d: %w", raw.Sequence, err)
	}
	return e, nil
}

// Get returns the dead letter at seq. With stage set, a dead letter of
// another stage is ErrNotFound.
func Get(ctx context.Context, js jetstream.StreamManager, seq uint64, stage string) (Entry, error) {
	str, err := js.Stream(ctx, events.StreamDeadLetter)
	if err != nil {
		return Entry{}, fmt.Errorf("stream %s: %w", events.StreamDeadLetter, err)
	}
	raw, err := str.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Entry{}, fmt.Errorf("%w at %d (list them with \"wartactl deadletters list\")", ErrNotFound, seq)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("read %s at %d: %w", events.StreamDeadLetter, seq, err)
	}
	e, err := decode(raw)
	if err != nil {
		return e, err
	}
	if stage != "" && e.Stage != stage {
		return e, fmt.Errorf("%w of stage %s at %d: it is from stage %s", ErrNotFound, stage, seq, e.Stage)
	}
	return e, nil
}

// JetStream is what Replay needs: read and delete in streams, and publish.
type JetStream interface {
	jetstream.StreamManager
	jetstream.Publisher
}

// Options tune Replay.
type Options struct {
	// Keep leaves the dead letter in the stream after its replay.
	Keep bool
	// Now gives the time in the replay's message id (default time.Now).
	Now func() time.Time
}

// Replayed says what Replay did with one dead letter.
type Replayed struct {
	Entry
	// NewStream and NewSeq say where the payload now is.
	NewStream string
	NewSeq    uint64
	// FromStream is true when the dead letter's payload was truncated and
	// the original message was read from its stream instead.
	FromStream bool
}

// Replay republishes the payload of the dead letter e to its original
// subject, with a fresh Nats-Msg-Id (events.ReplayMsgID) so
// JetStream's duplicate window does not drop it, then deletes the dead
// letter unless o.Keep. A truncated payload is replayed from the original
// message if its stream still has it, else the error is ErrTruncated.
func Replay(ctx context.Context, js JetStream, e Entry, o Options) (Replayed, error) {
	r := Replayed{Entry: e}
	if o.Now == nil {
		o.Now = time.Now
	}
	if e.Subject == "" {
		return r, fmt.Errorf("dead letter %d names no subject to replay to", e.Seq)
	}
	payload := e.Payload
	if e.PayloadTruncated {
		orig, err := original(ctx, js, e)
		if err != nil {
			return r, err
		}
		payload, r.FromStream = orig, true
	}
	msg := nats.NewMsg(e.Subject)
	msg.Data = payload
	msg.Header.Set(jetstream.MsgIDHeader, events.ReplayMsgID(e.Seq, o.Now()))
	ack, err := js.PublishMsg(ctx, msg)
	if err != nil {
		return r, fmt.Errorf("replay dead letter %d to %s: %w", e.Seq, e.Subject, err)
	}
	r.NewStream, r.NewSeq = ack.Stream, ack.Sequence
	if o.Keep {
		return r, nil
	}
	str, err := js.Stream(ctx, events.StreamDeadLetter)
	if err == nil {
		err = str.DeleteMsg(ctx, e.Seq)
	}
	if err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		return r, fmt.Errorf("dead letter %d replayed to %s but not deleted (delete it, or it may be replayed twice): %w",
			e.Seq, e.Subject, err)
	}
	return r, nil
}

// original reads the whole payload of a truncated dead letter from its stream.
func original(ctx context.Context, js jetstream.StreamManager, e Entry) ([]byte, error) {
	gone := fmt.Errorf("%w: dead letter %d keeps %d of %d bytes, and the original is no longer in stream %q at %d",
		ErrTruncated, e.Seq, len(e.Payload), e.PayloadBytes, e.Stream, e.StreamSeq)
	if e.Stream == "" || e.StreamSeq == 0 {
		return nil, gone
	}
	str, err := js.Stream(ctx, e.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, gone
	}
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", e.Stream, err)
	}
	raw, err := str.GetMsg(ctx, e.StreamSeq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, gone
	}
	if err != nil {
		return nil, fmt.Errorf("read %s at %d: %w", e.Stream, e.StreamSeq, err)
	}
	if len(raw.Data) != e.PayloadBytes || raw.Subject != e.Subject {
		return nil, gone
	}
	return raw.Data, nil
}
