// The route table against the OpenAPI document, and matching paths to it.
#include "api/internal/routes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>
#include <string>
#include <vector>

#include "api/internal/handlers.h"
#include "api/service.h"
#include "nsdb/store_test_util.h"

namespace nsradar::api {
namespace {

using Operation = std::pair<std::string, std::string>;  // path pattern, upper-case method

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A path the pattern matches: each {parameter} replaced by a name.
std::string SamplePath(std::string_view pattern) {
  std::string out;
  while (!pattern.empty()) {
    size_t open = pattern.find('{');
    out.append(pattern.substr(0, open));
    if (open == std::string_view::npos) break;
    out.append("x.example");
    pattern.remove_prefix(pattern.find('}', open) + 1);
  }
  return out;
}

std::string List(const std::set<Operation>& ops) {
  std::string out;
  for (const auto& [path, method] : ops) out += " " + method + " " + path;
  return out;
}

class OpenApiPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(parser_.parse(OpenApiDocument()).get(doc_), simdjson::SUCCESS);
    simdjson::dom::object paths;
    ASSERT_EQ(doc_["paths"].get(paths), simdjson::SUCCESS);
    static const std::set<std::string_view> kMethods = {"get", "put", "post", "delete", "options", "head", "patch"};
    for (auto [path, item] : paths) {
      simdjson::dom::object ops;
      ASSERT_EQ(item.get(ops), simdjson::SUCCESS) << path;
      for (auto [method, op] : ops) {
        if (!kMethods.contains(method)) continue;  // "parameters", "summary" of the path item
        Operation o{std::string(path), Upper(method)};
        documented_.insert(o);
        // "security": [] lifts the document's default, the key.
        simdjson::dom::array security;
        if (op["security"].get(security) == simdjson::SUCCESS && security.size() == 0) keyless_.insert(o);
      }
    }
  }

  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
  std::set<Operation> documented_, keyless_;
};

TEST_F(OpenApiPaths, AreExactlyTheRouteTable) {
  std::set<Operation> routed;
  for (const Route& r : Routes()) {
    EXPECT_TRUE(routed.insert({std::string(r.pattern), std::string(r.method)}).second) << r.method << " " << r.pattern;
  }
  std::set<Operation> undocumented, unrouted;
  for (const auto& o : routed) {
    if (!documented_.contains(o)) undocumented.insert(o);
  }
  for (const auto& o : documented_) {
    if (!routed.contains(o)) unrouted.insert(o);
  }
  EXPECT_TRUE(undocumented.empty()) << "routes missing from openapi.json:" << List(undocumented);
  EXPECT_TRUE(unrouted.empty()) << "openapi.json paths no route serves:" << List(unrouted);
}

TEST_F(OpenApiPaths, SayWhichRoutesNeedNoKey) {
  for (const Route& r : Routes()) {
    Operation o{std::string(r.pattern), std::string(r.method)};
    EXPECT_EQ(keyless_.contains(o), !r.needs_key) << r.method << " " << r.pattern;
  }
}

// Every "$ref" in `e` names something in the document; the broken ones go to *broken.
void CheckRefs(simdjson::dom::element doc, simdjson::dom::element e, std::vector<std::string>* broken) {
  if (e.is_array()) {
    for (auto child : e.get_array()) CheckRefs(doc, child, broken);
    return;
  }
  if (!e.is_object()) return;
  for (auto [key, value] : e.get_object()) {
    std::string_view ref;
    if (key == "$ref" && value.get(ref) == simdjson::SUCCESS) {
      // "#/components/schemas/X" is the JSON Pointer "/components/schemas/X".
      if (!ref.starts_with("#/") || doc.at_pointer(ref.substr(1)).error()) broken->emplace_back(ref);
    } else {
      CheckRefs(doc, value, broken);
    }
  }
}

TEST_F(OpenApiPaths, ReferencesResolve) {
  std::vector<std::string> broken;
  CheckRefs(doc_, doc_, &broken);
  EXPECT_TRUE(broken.empty()) << ::testing::PrintToString(broken);
}

TEST(RouteTable, LabelsAreOnePerRoute) {
  std::set<std::string_view> labels;
  for (const Route& r : Routes()) {
    EXPECT_TRUE(labels.insert(r.label).second) << r.label << " labels two routes";
    EXPECT_NE(r.label, kUnroutedLabel);
  }
}

// No route hides another: a path made from each pattern finds that route.
TEST(RouteTable, EveryRouteIsReachable) {
  for (const Route& r : Routes()) {
    RouteMatch m = MatchRoute(r.method, SamplePath(r.pattern));
    EXPECT_EQ(m.route, &r) << r.pattern;
  }
}

TEST(MatchRoute, FillsParametersAndIgnoresEmptySegments) {
  RouteMatch m = MatchRoute("GET", "//v2/ns/ns1.example.net//domains/");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v2/ns/{ns}/domains");
  EXPECT_EQ(m.path.Get("ns"), "ns1.example.net");
  EXPECT_EQ(m.path.Get("domain"), "");

  m = MatchRoute("HEAD", "/v2/ip/192.0.2.1/nameservers");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.path.Get("address"), "192.0.2.1");

  for (std::string_view path : {"/", "", "/v2", "/v2/ns/a/b/domains", "/v2/ns//domains", "/api/v1/x", "/v3/stats"}) {
    m = MatchRoute("GET", path);
    EXPECT_EQ(m.route, nullptr) << path;
    EXPECT_EQ(m.wrong_method, nullptr) << path;
  }
}

TEST(MatchRoute, TellsAWrongMethodFromAnUnknownPath) {
  RouteMatch m = MatchRoute("POST", "/v2/stats");
  EXPECT_EQ(m.route, nullptr);
  ASSERT_NE(m.wrong_method, nullptr);
  EXPECT_EQ(m.wrong_method->method, "GET");
  m = MatchRoute("HEAD", "/v2/bulk/domains");  // HEAD stands in only for GET
  ASSERT_NE(m.wrong_method, nullptr);
  EXPECT_EQ(m.wrong_method->method, "POST");
  m = MatchRoute("POST", "/v2/nothing");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.wrong_method, nullptr);
}

// A Service over an empty store that knows no key: a route that needs one
// answers 403, the others answer.
class KeylessService : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(nsdb::Store::Open(dir_.file("store"), {}, &store_).ok()); }

  Response Send(Service& service, std::string_view method, const std::string& target) {
    Request r;
    r.method = method;
    EXPECT_EQ(ParseTarget(target, &r), "");
    return service.Handle(r, "");
  }

  nsdb::testing::TempDir dir_;
  std::unique_ptr<nsdb::Store> store_;
  ApiKeys keys_;
  Metrics metrics_;
};

// Each route is asked for its key or not as the table says, and counted
// under its own label.
TEST_F(KeylessService, KeysAndLabelsFollowTheTable) {
  Service service(store_.get(), &keys_, &metrics_, {});
  for (const Route& r : Routes()) {
    EXPECT_EQ(Send(service, r.method, SamplePath(r.pattern)).status == 403, r.needs_key) << r.pattern;
  }
  std::string text = Send(service, "GET", "/metrics").body;
  for (const Route& r : Routes()) {
    std::string line = fmt::format("nsradar_http_requests_total{{endpoint=\"{}\",status=\"{}\"}} 1\n", r.label,
                                   r.needs_key ? 403 : 200);
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
}

TEST_F(KeylessService, MetricsEndWithTheExtraLines) {
  int scrapes = 0;
  ServiceOptions options;
  options.extra_metrics = [&scrapes](std::string* out) {
    *out += fmt::format("# TYPE nsradar_pipeline_test_scrapes counter\nnsradar_pipeline_test_scrapes {}\n", ++scrapes);
  };
  Service service(store_.get(), &keys_, &metrics_, options);
  Response first = Send(service, "GET", "/metrics");
  EXPECT_TRUE(first.body.ends_with("\nnsradar_pipeline_test_scrapes 1\n")) << first.body;
  EXPECT_NE(first.body.find("nsradar_http_connections 0\n"), std::string::npos);  // the API's own lines stay
  EXPECT_TRUE(Send(service, "GET", "/metrics").body.ends_with("\nnsradar_pipeline_test_scrapes 2\n"));
  EXPECT_EQ(scrapes, 2);
  // Nothing else calls it.
  Send(service, "GET", "/healthz");
  EXPECT_EQ(scrapes, 2);
}

}  // namespace
}  // namespace nsradar::api
