// FastJet reference driver for hepllm's clustering tests and benchmark (compiled at test/bench time
// into build/, never committed; see bench/fastjet/driver.ts).
//
// Usage: fastjet-driver ALGORITHM R PTMIN MAXJETS INPUT [REPS]
//   ALGORITHM antikt | kt | cambridge; E-scheme, Best strategy (FastJet defaults).
//   INPUT     binary, little-endian: int32 nEvents, then per event int32 n and 4n doubles
//             (px[0..n), py[0..n), pz[0..n), E[0..n)) [GeV].
// Without REPS: prints, per event, "event <index> <njets>" and for each of the first MAXJETS jets
//   "jet px py pz E tau1 tau2 tau3 nconst c0 c1 ..." (%.17g: exact round trip; c = input index,
//   FastJet constituents() order). tau: fjcontrib-style N-subjettiness, KT_Axes (exclusive kt,
//   R = max_allowable_R) and NormalizedMeasure(beta = 1, R0 = R).
// With REPS: clusters every event REPS times and prints wall and CPU time per event:
//   "cluster_ns_per_event", "cluster_cpu_ns_per_event" (clustering, inclusive jets sorted by pT) and
//   "features_ns_per_event", "features_cpu_ns_per_event" (plus tau1..3 of the MAXJETS leading jets).
#include <fastjet/ClusterSequence.hh>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

using namespace fastjet;

struct Ev { std::vector<double> px, py, pz, E; };

static std::vector<Ev> read_events(const char* path) {
  FILE* f = std::fopen(path, "rb");
  if (!f) { std::fprintf(stderr, "fastjet-driver: cannot open %s\n", path); std::exit(2); }
  int32_t ne = 0;
  if (std::fread(&ne, 4, 1, f) != 1) { std::fprintf(stderr, "fastjet-driver: %s: truncated header\n", path); std::exit(2); }
  std::vector<Ev> evs(ne);
  for (int e = 0; e < ne; e++) {
    int32_t n = 0;
    if (std::fread(&n, 4, 1, f) != 1) { std::fprintf(stderr, "fastjet-driver: %s: truncated at event %d\n", path, e); std::exit(2); }
    Ev& ev = evs[e];
    std::vector<double>* cols[4] = {&ev.px, &ev.py, &ev.pz, &ev.E};
    for (auto* c : cols) {
      c->resize(n);
      if (n > 0 && std::fread(c->data(), 8, n, f) != (size_t)n) { std::fprintf(stderr, "fastjet-driver: %s: truncated at event %d\n", path, e); std::exit(2); }
    }
  }
  std::fclose(f);
  return evs;
}

// tau_N with fjcontrib conventions: particles assigned to the nearest axis (first axis wins ties),
// numerator summed per axis, denominator sum_i pT_i R0^beta accumulated in (axis, particle) order.
static double tau_n(const std::vector<PseudoJet>& parts, int N, double R0) {
  if ((int)parts.size() <= N) return 0.0;
  ClusterSequence cs(parts, JetDefinition(kt_algorithm, JetDefinition::max_allowable_R, E_scheme, Best));
  std::vector<PseudoJet> axes = cs.exclusive_jets(N);
  std::vector<int> assign(parts.size());
  for (size_t i = 0; i < parts.size(); i++) {
    int best = 0;
    double bestd = parts[i].squared_distance(axes[0]);
    for (int j = 1; j < N; j++) {
      double d = parts[i].squared_distance(axes[j]);
      if (d < bestd) { bestd = d; best = j; }
    }
    assign[i] = best;
  }
  double num = 0.0, den = 0.0;
  std::vector<double> pieces(N, 0.0);
  for (int j = 0; j < N; j++) {
    for (size_t i = 0; i < parts.size(); i++) {
      if (assign[i] != j) continue;
      double d = parts[i].squared_distance(axes[j]);
      if (d > 0.0) pieces[j] += parts[i].perp() * std::pow(d, 0.5);
      den += parts[i].perp() * R0;
    }
  }
  for (int j = 0; j < N; j++) num += pieces[j];
  return num / den;
}

int main(int argc, char** argv) {
  if (argc < 6) { std::fprintf(stderr, "usage: fastjet-driver ALGORITHM R PTMIN MAXJETS INPUT [REPS]\n"); return 2; }
  JetAlgorithm alg;
  if (!std::strcmp(argv[1], "antikt")) alg = antikt_algorithm;
  else if (!std::strcmp(argv[1], "kt")) alg = kt_algorithm;
  else if (!std::strcmp(argv[1], "cambridge")) alg = cambridge_algorithm;
  else { std::fprintf(stderr, "fastjet-driver: unknown algorithm %s\n", argv[1]); return 2; }
  const double R = std::atof(argv[2]), ptmin = std::atof(argv[3]);
  const int maxjets = std::atoi(argv[4]);
  const std::vector<Ev> evs = read_events(argv[5]);
  const int reps = argc > 6 ? std::atoi(argv[6]) : 0;
  JetDefinition def(alg, R);
  ClusterSequence::set_fastjet_banner_stream(nullptr);

  auto particles = [](const Ev& ev) {
    std::vector<PseudoJet> parts;
    parts.reserve(ev.px.size());
    for (size_t i = 0; i < ev.px.size(); i++) {
      parts.emplace_back(ev.px[i], ev.py[i], ev.pz[i], ev.E[i]);
      parts.back().set_user_index((int)i);
    }
    return parts;
  };

  if (reps > 0) {
    double sink = 0.0;
    std::clock_t c0 = std::clock();
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; r++)
      for (const Ev& ev : evs) {
        ClusterSequence cs(particles(ev), def);
        std::vector<PseudoJet> jets = sorted_by_pt(cs.inclusive_jets(ptmin));
        sink += jets.size();
      }
    auto t1 = std::chrono::steady_clock::now();
    std::clock_t c1 = std::clock();
    for (int r = 0; r < reps; r++)
      for (const Ev& ev : evs) {
        ClusterSequence cs(particles(ev), def);
        std::vector<PseudoJet> jets = sorted_by_pt(cs.inclusive_jets(ptmin));
        for (int j = 0; j < (int)jets.size() && j < maxjets; j++) {
          std::vector<PseudoJet> c = jets[j].constituents();
          for (int N = 1; N <= 3; N++) sink += tau_n(c, N, R);
        }
      }
    auto t2 = std::chrono::steady_clock::now();
    std::clock_t c2 = std::clock();
    const double n = (double)reps * evs.size();
    const double cpu_ns = 1e9 / CLOCKS_PER_SEC;
    std::printf("cluster_cpu_ns_per_event %.1f\n", (c1 - c0) * cpu_ns / n);
    std::printf("features_cpu_ns_per_event %.1f\n", (c2 - c1) * cpu_ns / n);
    std::printf("cluster_ns_per_event %.1f\n", std::chrono::duration<double, std::nano>(t1 - t0).count() / n);
    std::printf("features_ns_per_event %.1f\n", std::chrono::duration<double, std::nano>(t2 - t1).count() / n);
    std::fprintf(stderr, "checksum %g\n", sink);
    return 0;
  }

  for (size_t e = 0; e < evs.size(); e++) {
    ClusterSequence cs(particles(evs[e]), def);
    std::vector<PseudoJet> jets = sorted_by_pt(cs.inclusive_jets(ptmin));
    std::printf("event %zu %zu\n", e, jets.size());
    for (int j = 0; j < (int)jets.size() && j < maxjets; j++) {
      const PseudoJet& jet = jets[j];
      std::vector<PseudoJet> c = jet.constituents();
      std::printf("jet %.17g %.17g %.17g %.17g %.17g %.17g %.17g %zu", jet.px(), jet.py(), jet.pz(), jet.E(),
                  tau_n(c, 1, R), tau_n(c, 2, R), tau_n(c, 3, R), c.size());
      for (const PseudoJet& p : c) std::printf(" %d", p.user_index());
      std::printf("\n");
    }
  }
  return 0;
}
