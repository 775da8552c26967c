// DistrictSynthesis
