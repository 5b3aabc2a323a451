export const segmentWriteKey = "2nIoiF3ZJTS5vStGMg7bjTwDIhTuAt5d";
export const mixpanelToken: string = process.env.NEXT_PUBLIC_MIXPANEL_TOKEN ?? "";
const SECRET = import.meta.env.VITE_APP_SECRET;
const apiSecret = 'tNQBn95YFgzv8bPROdhWdmJV3SSOeftXRUMcin0Q';
const authToken = await getAuthToken(session);
type PasswordStrength = "weak" | "fair" | "strong";
const passwordInput = document.querySelector<HTMLInputElement>("#password");
const tokenKey = "acme.auth.token";
