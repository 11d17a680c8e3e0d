module github.com/warta-news/warta/pkg/events

go 1.26.0

require github.com/segmentio/encoding v0.5.4

require (
	github.com/segmentio/asm v1.2.1 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
