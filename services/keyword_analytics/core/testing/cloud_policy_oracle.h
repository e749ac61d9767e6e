// The word cloud's policy (cloud_policy.h) restated from its definition, for
// tests and benchmarks to check IndexSnapshot against: a word is hidden when
// it is on the reviewed list, or in the lines of more than 90% of the
// agencies and not topical. Independent of the index's own counting.
#ifndef SERVICES_KEYWORD_ANALYTICS_CORE_TESTING_CLOUD_POLICY_ORACLE_H_
#define SERVICES_KEYWORD_ANALYTICS_CORE_TESTING_CLOUD_POLICY_ORACLE_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/keyword_analytics/core/cloud_policy.h"
#include "services/keyword_analytics/core/segmenter.h"

namespace bkk::keywords::testing {

class CloudPolicyOracle {
 public:
  // One line: its agency and its terms (Segmenter::Terms).
  void Add(const std::string& agency, const std::vector<std::string>& terms) {
    agencies_.insert(agency);
    for (const auto& term : terms) agencies_of_[term].insert(agency);
  }

  std::set<std::string> Hidden(const Segmenter& segmenter) const {
    const std::set<absl::string_view> reviewed(ReviewedBoilerplate().begin(), ReviewedBoilerplate().end());
    std::set<std::string> hidden;
    for (const auto& [term, of] : agencies_of_) {
      if (!segmenter.IsKeywordCandidate(term)) continue;
      const bool boilerplate = 10 * of.size() > 9 * agencies_.size() && !IsTopicalKeyword(term);
      if (boilerplate || reviewed.count(term) != 0) hidden.insert(term);
    }
    return hidden;
  }

 private:
  std::set<std::string> agencies_;
  std::map<std::string, std::set<std::string>> agencies_of_;
};

}  // namespace bkk::keywords::testing

#endif  // SERVICES_KEYWORD_ANALYTICS_CORE_TESTING_CLOUD_POLICY_ORACLE_H_
