module github.com/warta-news/warta/services/enrich

go 1.26

require github.com/warta-news/warta/pkg/events v0.0.0

replace github.com/warta-news/warta/pkg/events => ../../pkg/events

require github.com/warta-news/warta/pkg/article v0.0.0

replace github.com/warta-news/warta/pkg/article => ../../pkg/article

require github.com/warta-news/warta/pkg/bus v0.0.0

replace github.com/warta-news/warta/pkg/bus => ../../pkg/bus

require (
	github.com/nats-io/nats.go v1.55.0
	go.uber.org/zap v1.28.0
)
