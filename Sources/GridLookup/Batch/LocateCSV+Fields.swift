extension LocateCSV {
    /// Appends the `distance_m` field of a located point as the CSV writes it: `0` inside, the
    /// metres with two decimals (centimetres) near, nothing outside.
    ///
    /// Other interfaces that answer a lookup (the HTTP server) write the same digits, so that
    /// every interface gives the same answer for the same point.
    public static func appendDistance(of location: PointLocation, to out: inout [UInt8]) {
        switch location.status {
        case .inside: out.append(UInt8(ascii: "0"))
        case .near: Worker.appendMetres(location.distance ?? 0, to: &out)
        case .outside: break
        }
    }
}
