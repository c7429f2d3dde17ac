// FastJet 3.4 PseudoJet kinematics for hepllm's native clustering (cluster.cc, kt-axes.cc): the C++
// twin of lib/jets/pseudojet.ts, same formulas and constants, so that rapidities and azimuths, and
// hence merge decisions, are FastJet's bits (std::log, std::atan2: glibc, as the FastJet build).
// Compile users with -ffp-contract=off (scripts/build-native.js): no fused multiply-adds.
#pragma once

#include <cmath>

namespace pseudojet {

constexpr double PI = 3.141592653589793;         // Math.PI
constexpr double TWOPI = 2 * 3.141592653589793;  // FastJet's twopi (2*pi rounded once)
constexpr double MAX_RAP = 1e5;                  // FastJet's MaxRap: rapidity stand-in along the beam

// Rapidity (PseudoJet::_set_rap_phi), from pz, E [GeV] and kt^2 [GeV^2].
inline double RapidityOf(double pz, double E, double kt2) {
  const double apz = std::fabs(pz);
  if (E == apz && kt2 == 0) {
    const double maxRapHere = MAX_RAP + apz;
    return pz >= 0 ? maxRapHere : -maxRapHere;
  }
  const double mm = (E + pz) * (E - pz) - kt2;
  const double effM2 = mm > 0 ? mm : 0;
  const double ePlusPz = E + apz;
  const double rap = 0.5 * std::log((kt2 + effM2) / (ePlusPz * ePlusPz));
  return pz > 0 ? -rap : rap;
}

// Azimuth in [0, 2pi) (PseudoJet::_set_rap_phi).
inline double Phi02pi(double px, double py, double kt2) {
  double phi = kt2 == 0 ? 0 : std::atan2(py, px);
  if (phi < 0) phi += TWOPI;
  if (phi >= TWOPI) phi -= TWOPI;
  return phi;
}

}  // namespace pseudojet
