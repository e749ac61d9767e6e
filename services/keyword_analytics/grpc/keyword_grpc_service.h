// The gRPC face of keyword-analytics: answers from the published snapshot.
#ifndef BKK_SERVICES_KEYWORD_ANALYTICS_GRPC_KEYWORD_GRPC_SERVICE_H_
#define BKK_SERVICES_KEYWORD_ANALYTICS_GRPC_KEYWORD_GRPC_SERVICE_H_

#include "bkkbudget/keywords/v1/keywords.grpc.pb.h"
#include "services/keyword_analytics/core/index.h"
#include "services/keyword_analytics/grpc/index_loader.h"

namespace bkk::keywords {

class KeywordGrpcService final : public bkkbudget::keywords::v1::KeywordService::Service {
 public:
  // `loader` may be null (tests); it only supplies the publication time.
  KeywordGrpcService(SnapshotHolder* holder, const IndexLoader* loader) : holder_(holder), loader_(loader) {}

  using Ctx = grpc::ServerContext;
  grpc::Status ListTopKeywords(Ctx* context, const bkkbudget::keywords::v1::ListTopKeywordsRequest* request,
                               bkkbudget::keywords::v1::ListTopKeywordsResponse* response) override;
  grpc::Status SearchLines(Ctx* context, const bkkbudget::keywords::v1::SearchLinesRequest* request,
                           bkkbudget::keywords::v1::SearchLinesResponse* response) override;
  grpc::Status SuggestKeywords(Ctx* context, const bkkbudget::keywords::v1::SuggestKeywordsRequest* request,
                               bkkbudget::keywords::v1::SuggestKeywordsResponse* response) override;
  grpc::Status SegmentText(Ctx* context, const bkkbudget::keywords::v1::SegmentTextRequest* request,
                           bkkbudget::keywords::v1::SegmentTextResponse* response) override;
  grpc::Status GetIndexStatus(Ctx* context, const bkkbudget::keywords::v1::GetIndexStatusRequest* request,
                              bkkbudget::keywords::v1::GetIndexStatusResponse* response) override;

 private:
  SnapshotHolder* const holder_;
  const IndexLoader* const loader_;
};

}  // namespace bkk::keywords

#endif  // BKK_SERVICES_KEYWORD_ANALYTICS_GRPC_KEYWORD_GRPC_SERVICE_H_
