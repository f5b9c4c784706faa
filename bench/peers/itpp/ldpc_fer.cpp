// IT++ peer for bench/itpp.mjs: frame error rate and decoder throughput of IT++'s LDPC belief-
// propagation decoder (LDPC_Code::bp_decode, sum-product on quantised LLRs with table boxplus)
// for a code read from an alist file, BPSK over AWGN.
//
//   ldpc_fer ALIST ITERATIONS SEED MAX_FRAME_ERRORS MAX_FRAMES EBN0_DB [EBN0_DB ...]
//
// Per Eb/N0 point (dB, per information bit): random information bits (IT++'s seeded RNG),
// systematic encoding (LDPC_Generator_Systematic), BPSK (bit 0 -> +1), real AWGN with
// sigma^2 = N0/2 = 1 / (2 R Eb/N0), channel LLRs 2y/sigma^2 (positive favours 0), decoding with
// at most ITERATIONS iterations and a syndrome check after each one (early stop). A frame is in
// error when any of its k information bits is wrong. Stops at MAX_FRAME_ERRORS frame errors or
// MAX_FRAMES frames. Prints one JSON object per point on stdout; decodeSeconds (wall clock) and
// decodeCpuSeconds (this process's CPU time) cover the LLR quantisation and bp_decode only.
#include <itpp/itcomm.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <ctime>

using namespace itpp;

static double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static long parse_long(const char *text, const char *what) {
  char *end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0') {
    std::fprintf(stderr, "ldpc_fer: %s '%s' is not an integer\n", what, text);
    std::exit(2);
  }
  return v;
}

int main(int argc, char **argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: ldpc_fer ALIST ITERATIONS SEED MAX_FRAME_ERRORS MAX_FRAMES EBN0_DB [EBN0_DB ...]\n");
    return 2;
  }
  const std::string alist = argv[1];
  const int iterations = static_cast<int>(parse_long(argv[2], "ITERATIONS"));
  const long seed = parse_long(argv[3], "SEED");
  const long maxFrameErrors = parse_long(argv[4], "MAX_FRAME_ERRORS");
  const long maxFrames = parse_long(argv[5], "MAX_FRAMES");

  LDPC_Parity H(alist, "alist");
  // Builds a systematic generator; permutes H's columns so that the first k code bits are the information bits.
  LDPC_Generator_Systematic G(&H, true);
  LDPC_Code code(&H, &G);
  code.set_exit_conditions(iterations, true, false);
  const int n = code.get_nvar();
  const int k = code.get_ninfo();
  const double rate = static_cast<double>(k) / n;
  const LLR_calc_unit llrcalc = code.get_llrcalc();
  std::fprintf(stderr, "itpp ldpc_fer: n = %d, k = %d, %d iterations\n", n, k, iterations);

  RNG_reset(static_cast<unsigned int>(seed));
  BPSK bpsk;
  for (int a = 6; a < argc; a++) {
    char *end = nullptr;
    const double ebn0Db = std::strtod(argv[a], &end);
    if (end == argv[a] || *end != '\0' || !std::isfinite(ebn0Db)) {
      std::fprintf(stderr, "ldpc_fer: EBN0_DB '%s' is not a finite number\n", argv[a]);
      return 2;
    }
    const double sigma2 = 1.0 / (2.0 * rate * std::pow(10.0, ebn0Db / 10.0));
    AWGN_Channel channel(sigma2);
    long frames = 0, frameErrors = 0, bitErrors = 0, iterSum = 0;
    double decodeSeconds = 0, decodeCpuSeconds = 0;
    QLLRvec out;
    while (frames < maxFrames && frameErrors < maxFrameErrors) {
      const bvec info = randb(k);
      const bvec cw = code.encode(info);
      const vec y = channel(bpsk.modulate_bits(cw));
      const vec llr = (2.0 / sigma2) * y;
      const double c0 = cpu_seconds();
      const auto t0 = std::chrono::steady_clock::now();
      const QLLRvec in = llrcalc.to_qllr(llr);
      const int it = code.bp_decode(in, out);
      decodeSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      decodeCpuSeconds += cpu_seconds() - c0;
      iterSum += it < 0 ? -it : it;
      long e = 0;
      for (int j = 0; j < k; j++) e += (out(j) < 0 ? 1 : 0) != static_cast<int>(info(j));
      frames++;
      bitErrors += e;
      if (e > 0) frameErrors++;
    }
    std::printf(
        "{\"ebn0Db\": %.6g, \"frames\": %ld, \"frameErrors\": %ld, \"bitErrors\": %ld, \"meanIterations\": %.4f, "
        "\"decodeSeconds\": %.6f, \"decodeCpuSeconds\": %.6f}\n",
        ebn0Db, frames, frameErrors, bitErrors, static_cast<double>(iterSum) / frames, decodeSeconds, decodeCpuSeconds);
    std::fflush(stdout);
  }
  return 0;
}
