import Foundation

enum Secrets {
    static let algoliaAppID = "844A0C3C55"
    static let algoliaAdminKey = "77365ddda8dc55fedb5117055faa8e88"
    static let revenueCatKey = "appl_vGL5nDvF4CT8vc4HNHXbGWcPFHW"
    static let oneSignalAppId = "47a474ba-d927-485e-b16a-1d5d8f30fe07"
    static let mixpanelToken = "a22d865e2d670501bb6edec346cb6676"
}

struct LoginView {
    @State private var password: String = ""
    let passwordPlaceholder = NSLocalizedString("Password", comment: "")
}
