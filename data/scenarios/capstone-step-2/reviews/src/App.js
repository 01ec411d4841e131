// The reviews front end (React); calls the reviewsrest API through Amplify's client library.
export default function App() { return null; }
