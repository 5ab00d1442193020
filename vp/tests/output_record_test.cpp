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

TEST_CASE("a histogram is one record: its shape and per key its buckets, bounds inclusive", "[json][hist]") {
  for (bool interp : {false, true}) {
    auto r = runJson(
        "(version \"1.3\")\n"
        "(defhist lat 2 0)\n"
        "(defhist d 1 1 -10 20 10)\n"
        "(vprobe Guest_IRQ (aggr lat (ARG1 ARG0) () 1) (aggr d (ARG0) (\"x\") 1))\n"
        "(vprobe VMXUnload (logaggr lat) (logaggr d))\n",
        {"Guest_IRQ:9,1", "Guest_IRQ:0xffffffffffffffff,1", "Guest_IRQ:0x7fffffffffffffff,2",
         "Guest_IRQ:25,2"},
        interp);
    CHECK(r.err.empty());
    auto recs = records(r.out);
    REQUIRE(recs.size() == 2);
    const json& lat = recs[0];
    CHECK(lat["type"] == "histogram");
    CHECK(lat["name"] == "lat");
    CHECK(lat["shape"] == "pow2");
    CHECK(lat["truncated"] == false);
    REQUIRE(lat["histograms"].size() == 2);
    const json& one = lat["histograms"][0];
    CHECK(one["keys"] == json::array({1}));
    // -1 in the open bucket below 0, 9 in [8, 15]; the empty buckets between are listed.
    REQUIRE(one["buckets"].size() == 6);
    CHECK(one["buckets"][0]["openBelow"] == true);
    CHECK(one["buckets"][0]["hi"] == -1);
    CHECK(one["buckets"][0]["count"] == 1);
    CHECK(one["buckets"][5]["lo"] == 8);
    CHECK(one["buckets"][5]["hi"] == 15);
    CHECK(one["buckets"][5]["count"] == 1);
    const json& top = lat["histograms"][1]["buckets"].back();
    CHECK(top["lo"] == (int64_t{1} << 62));
    CHECK(top["hi"] == INT64_MAX);  // the largest integer's bucket has representable bounds
    const json& d = recs[1];
    CHECK(d["shape"] == "linear");
    CHECK(d["min"] == -10);
    CHECK(d["max"] == 20);
    CHECK(d["step"] == 10);
    CHECK(d["histograms"][0]["keys"] == json::array({"x"}));
    const json& above = d["histograms"][0]["buckets"].back();
    CHECK(above["openAbove"] == true);
    CHECK(above["lo"] == 20);
  }
}
