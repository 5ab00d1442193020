// Where the SMM probes find the handler's rsm: a straight 16-bit decode
// from the entry (smm_stops.h). No KVM needed; the stops themselves run
// in tests/suites/smm.sh.
#include <catch2/catch.hpp>
#include <cstdint>

#include "vmm-engine/smm_stops.h"

TEST_CASE("findRsm: the demo guest's handler, its rsm after the counter increment") {
  const uint8_t code[] = {0x66, 0x2e, 0xff, 0x06, 0x00, 0x81, 0x0f, 0xaa, 0x00, 0x00};
  auto at = vmm::findRsm(code, sizeof code);
  REQUIRE(at);
  CHECK(*at == 6);
}

TEST_CASE("findRsm: decodes as 16-bit code, where 0x66 widens an operand") {
  // mov ax, 0x0faa (b8 aa 0f) holds the rsm bytes as an immediate; in
  // 16-bit code it is 3 bytes long, so the real rsm is the next one.
  const uint8_t code[] = {0xb8, 0xaa, 0x0f, 0x0f, 0xaa};
  auto at = vmm::findRsm(code, sizeof code);
  REQUIRE(at);
  CHECK(*at == 3);
  // With 0x66, the immediate is 4 bytes (66 b8 xx xx xx xx): 0f aa inside it.
  const uint8_t wide[] = {0x66, 0xb8, 0x0f, 0xaa, 0x0f, 0xaa, 0x0f, 0xaa};
  at = vmm::findRsm(wide, sizeof wide);
  REQUIRE(at);
  CHECK(*at == 6);
}

TEST_CASE("findRsm: none before the end, or before bytes that do not decode") {
  const uint8_t noRsm[] = {0x90, 0x90, 0xf4};
  CHECK_FALSE(vmm::findRsm(noRsm, sizeof noRsm));
  const uint8_t cut[] = {0x90, 0x0f};  // the rsm's first byte only
  CHECK_FALSE(vmm::findRsm(cut, sizeof cut));
  const uint8_t bad[] = {0x0f, 0x04, 0x0f, 0xaa};  // 0f 04 is no instruction
  CHECK_FALSE(vmm::findRsm(bad, sizeof bad));
  CHECK_FALSE(vmm::findRsm(noRsm, 0));
}
