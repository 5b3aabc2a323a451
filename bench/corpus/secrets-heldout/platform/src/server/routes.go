package server

func routes(r *mux.Router) {
	r.HandleFunc("/api/v1/password/reset", resetPassword).Methods("POST")
	r.HandleFunc("/api/v1/tokens/{id}", revokeToken).Methods("DELETE")
	r.Use(authMiddleware("X-Api-Key"))
	log.Printf("token refreshed for user %s", userID)
}
