module github.com/warta-news/warta/pkg/bus

go 1.26

require github.com/warta-news/warta/pkg/events v0.0.0

replace github.com/warta-news/warta/pkg/events => ../events
