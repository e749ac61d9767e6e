// The Go peer for ./bkk bench gateway: grpc-gateway 1.6 (Debian's
// golang-grpc-gateway), the HTTP/JSON proxy most teams would deploy, generated
// from protos/bkkbudget/keywords/v1/keywords.proto and put in front of
// keyword-analytics, so POST /v1/keywords:segment can be driven through it and
// through our gateway on the same backend. build.sh builds it (Debian
// packages only, GOPATH mode). It answers in our gateway's JSON: lowerCamel
// names, default values included (grpc-gateway's default is proto names with
// defaults left out).
//
//	grpc-gateway-peer -listen 127.0.0.1:0 -backend 127.0.0.1:50052
//
// Prints "grpc-gateway-peer listening on port N" once it accepts connections.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	keywordspb "bkkbudget/keywords/v1"

	"github.com/grpc-ecosystem/grpc-gateway/runtime"
	"google.golang.org/grpc"
)

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	listen := flag.String("listen", envOr("BKK_HTTP_LISTEN", "127.0.0.1:8081"), "HTTP listen address (host:port; port 0 picks one) [env BKK_HTTP_LISTEN]")
	backend := flag.String("backend", envOr("BKK_KEYWORDS_ADDR", "127.0.0.1:50052"), "keyword-analytics gRPC address (host:port) [env BKK_KEYWORDS_ADDR]")
	flag.Parse()

	mux := runtime.NewServeMux(runtime.WithMarshalerOption(runtime.MIMEWildcard,
		&runtime.JSONPb{OrigName: false, EmitDefaults: true}))
	err := keywordspb.RegisterKeywordServiceHandlerFromEndpoint(context.Background(), mux, *backend,
		[]grpc.DialOption{grpc.WithInsecure()})
	if err != nil {
		log.Fatalf("grpc-gateway-peer: %v", err)
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("grpc-gateway-peer: %v", err)
	}
	fmt.Printf("grpc-gateway-peer listening on port %d\n", l.Addr().(*net.TCPAddr).Port)
	log.Fatal(http.Serve(l, mux))
}
