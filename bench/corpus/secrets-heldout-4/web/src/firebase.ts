export const firebaseConfig = {
  apiKey: "AIzaG5bvc9XcUvIpuXuzFPRr184t4feUw2pF8ox",
  authDomain: "shop-web.firebaseapp.com",
  projectId: "shop-web",
  appId: "1:785703070354:web:7f824fbd0bfc95a040d23d",
};
