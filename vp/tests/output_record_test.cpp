// JSON output (vp/output_record.h): every record a script's run makes is
// one line that a JSON parser reads back field by field.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "vp/output_record.h"
#include "vp/tests/harness.h"

using nlohmann::json;

namespace {

// Each line of `out` parsed; fails the test on a line that does not parse.
std::vector<json> records(const std::string& out) {
  std::vector<json> all;
  size_t start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = out.substr(start, nl - start);
    INFO(line);
    REQUIRE(json::accept(line));
    all.push_back(json::parse(line));
  }
  CHECK(start == out.size());  // nothing after the last '\n'
  return all;
}

vptest::RunResult runJson(const std::string& source, const std::vector<std::string>& events,
                          bool interpret = false) {
  vp::Options opts;
  opts.format = vp::OutputFormat::Json;
  return vptest::runScript(source, events, interpret, opts);
}

}  // namespace

TEST_CASE("printf output: one record per line, with probe, vCPU and timestamp", "[json]") {
  for (bool interp : {false, true}) {
    auto r = runJson(
        "(vprobe VMXLoad (printf \"start\\n\"))"
        "(vprobe VMM1Hz (printf \"n=%d \" ARG0) (printf \"\\\"q\\\"\\tx\\nsecond\\n\"))",
        {"VMM1Hz:7"}, interp);
    CHECK(r.err.empty());
    auto recs = records(r.out);
    REQUIRE(recs.size() == 3);
    CHECK(recs[0]["type"] == "printf");
    CHECK(recs[0]["probe"] == "VMXLoad");
    CHECK(recs[0]["vcpu"].is_null());  // a VMX thread
    CHECK(recs[0]["text"] == "start");
    CHECK(recs[1]["probe"] == "VMM1Hz");
    CHECK(recs[1]["vcpu"] == 0);
    CHECK(recs[1]["tsc"].is_number_unsigned());
    CHECK(recs[1]["text"] == "n=7 \"q\"\tx");  // two printfs, one line
    CHECK(recs[2]["text"] == "second");
  }
}

TEST_CASE("an aggregate is one record: keys as numbers and strings, statistics as numbers",
          "[json]") {
  for (bool interp : {false, true}) {
    auto r = runJson(
        "(defaggr lat 1 1)"
        "(vprobe VMM1Hz (aggr lat (ARG0) (\"disk\") ARG1))"
        "(vprobe VMXUnload (logaggr lat) (printa lat \"%d %s\\n\"))",
        {"VMM1Hz:0xffffffffffffffff,5", "VMM1Hz:0xffffffffffffffff,9", "VMM1Hz:3,4"}, interp);
    CHECK(r.err.empty());
    auto recs = records(r.out);
    REQUIRE(recs.size() == 2);  // logaggr, then printa: the same record
    CHECK(recs[0] == recs[1]);
    const json& a = recs[0];
    CHECK(a["type"] == "aggregate");
    CHECK(a["probe"] == "VMXUnload");
    CHECK(a["name"] == "lat");
    CHECK(a["intKeys"] == 1);
    CHECK(a["strKeys"] == 1);
    CHECK(a["truncated"] == false);
    REQUIRE(a["rows"].size() == 2);
    const json& small = a["rows"][0];  // key order, as logaggr prints
    CHECK(small["keys"] == json::array({3, "disk"}));
    CHECK(small["count"] == 1);
    const json& big = a["rows"][1];
    REQUIRE(big["keys"][0].is_number_unsigned());
    CHECK(big["keys"][0].get<uint64_t>() == UINT64_MAX);  // exact, not a double
    CHECK(big["keys"][1] == "disk");
    for (const char* stat : {"count", "min", "max", "avg", "latest"}) {
      INFO(stat);
      CHECK(big[stat].is_number_unsigned());
    }
    CHECK(big["count"] == 2);
    CHECK(big["min"] == 5);
    CHECK(big["max"] == 9);
    CHECK(big["avg"] == 7);
    CHECK(big["latest"] == 9);
  }
}

TEST_CASE("an empty aggregate is a record with no rows", "[json]") {
  auto recs = records(runJson("(defaggr a 0 0) (vprobe VMXLoad (logaggr a))", {}).out);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["rows"] == json::array());
  CHECK(recs[0]["intKeys"] == 0);
}

TEST_CASE("a runtime error is a record after the output of its fire", "[json]") {
  for (bool interp : {false, true}) {
    auto r = runJson(
        "(definteger n) (vprobe VMM1Hz (setint n (+ n 1)) (printf \"before %d\\n\" n)"
        " (logint (/ 1 (- n 2))) (printf \"after %d\\n\" n))",
        {"VMM1Hzx2"}, interp);
    CHECK(r.err.empty());
    auto recs = records(r.out);
    REQUIRE(recs.size() == 4);
    CHECK(recs[0]["text"] == "before 1");
    CHECK(recs[1]["type"] == "printf");
    CHECK(recs[1]["text"] == "0after 1");
    CHECK(recs[2]["text"] == "before 2");
    CHECK(recs[3]["type"] == "error");
    CHECK(recs[3]["probe"] == "VMM1Hz");
    CHECK(recs[3]["vcpu"] == 0);
    CHECK(recs[3]["tsc"] == recs[2]["tsc"]);  // the same fire's end
    CHECK(recs[3]["message"] ==
          "t.vp:1:83: runtime error: division by zero (probe VMM1Hz, vcpu 0)");
  }
}

TEST_CASE("output a fire left unfinished is a record at unload", "[json]") {
  auto recs = records(runJson("(vprobe VMM1Hz (logint ARG0))", {"VMM1Hz:1", "VMM1Hz:2"}).out);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["text"] == "12");
}

TEST_CASE("bytes that are not UTF-8 still make a line that parses", "[json]") {
  auto recs = records(runJson("(vprobe VMXLoad (writeint 0xff 1) (printf \"\\n\"))", {}).out);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["text"] == "\xef\xbf\xbd");  // U+FFFD
}

TEST_CASE("a drop record names the probe and counts the records", "[json]") {
  std::string line = vp::dropJson("VMM1Hz", 12);
  REQUIRE(line.back() == '\n');
  json d = json::parse(line);
  CHECK(d["type"] == "drop");
  CHECK(d["probe"] == "VMM1Hz");
  CHECK(d["records"] == 12);
  CHECK(json::parse(vp::dropJson("", 1))["probe"] == "");
}

TEST_CASE("the text format is the default and stays the reference's", "[json]") {
  auto r = vptest::runScript("(defaggr a 1 0) (vprobe VMM1Hz (aggr a (ARG0) () 2) (logaggr a))",
                             {"VMM1Hz:1"});
  CHECK(r.out ==
        "aggr: a (1 integer key) (0 string keys)\n"
        "a[0x1] == avg 2 count 1 min 2 max 2 latest 2\n");
  vp::OutputFormat f;
  CHECK(vp::parseOutputFormat("json", f));
  CHECK(f == vp::OutputFormat::Json);
  CHECK(vp::parseOutputFormat("text", f));
  CHECK(f == vp::OutputFormat::Text);
  CHECK_FALSE(vp::parseOutputFormat("JSON", f));
}
