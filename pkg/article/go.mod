module github.com/warta-news/warta/pkg/article

go 1.26.0

require (
	github.com/abadojack/whatlanggo v1.0.1
	github.com/segmentio/encoding v0.5.4
	github.com/warta-news/warta/pkg/events v0.0.0
	golang.org/x/net v0.62.0
	golang.org/x/text v0.43.0
)

require (
	github.com/segmentio/asm v1.2.1 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/warta-news/warta/pkg/events => ../events
